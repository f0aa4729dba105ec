"""linter/secrets/locate.py: where credentials hide in resources of both formats."""

from __future__ import annotations

import base64
import json
from typing import Any

from linter.model import Format, Path, Resource, Span, Unknown
from linter.secrets.locate import find_leaks, from_tfvars

KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def tf(type_: str, attributes: dict[str, Any], spans: dict[Path, Span] | None = None,
       kind: str = "resource", address: str = "", **extra: Any) -> Resource:
    return Resource(
        address=address or f"{type_}.this", type=type_, format=Format.TERRAFORM, kind=kind,
        attributes=attributes, spans={(): Span("main.tf", 1, 1, 40, 2), **(spans or {})},
        file="main.tf", **extra,
    )


def cfn(type_: str, properties: dict[str, Any], spans: dict[Path, Span] | None = None,
        **attributes: Any) -> Resource:
    return Resource(
        address="Thing", type=type_, format=Format.CLOUDFORMATION, kind="resource",
        attributes={"Type": type_, "Properties": properties, **attributes},
        spans={(): Span("t.yaml", 3, 3, 40, 2), **(spans or {})}, file="t.yaml",
    )


def summary(resource: Resource, **kwargs: bool) -> list[tuple[str, str, int]]:
    return [(leak.hit.kind, leak.hit.value, leak.span.start_line)
            for leak in find_leaks(resource, **kwargs)]


def test_provider_block_literals_are_credentials_whatever_their_shape() -> None:
    provider = tf("provider.aws", {"region": "us-west-2", "access_key": "foo", "secret_key": SECRET,
                                   "token": ""},
                  {("access_key",): Span("main.tf", 3), ("secret_key",): Span("main.tf", 4)},
                  kind="provider", address="provider.aws")
    assert summary(provider) == [("access-key-id", "foo", 3), ("secret-access-key", SECRET, 4)]
    assert find_leaks(provider)[0].place == "the provider block"


def test_provider_without_literals_is_clean() -> None:
    unknown = Unknown("var.secret_key", refs=())
    assert summary(tf("provider.aws", {"region": "us-west-2"}, kind="provider")) == []
    assert summary(tf("provider.aws", {"secret_key": unknown}, kind="provider")) == []


def test_heredoc_user_data_points_at_the_line_inside() -> None:
    script = (f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEY_ID}\n"
              f"export AWS_SECRET_ACCESS_KEY={SECRET}\n")
    # user_data = <<EOF on line 10, three content lines, EOF on line 14
    instance = tf("aws_instance", {"user_data": script},
                  {("user_data",): Span("main.tf", 10, 3, 14, 4)})
    assert summary(instance) == [("access-key-id", KEY_ID, 12), ("secret-access-key", SECRET, 13)]
    assert {leak.place for leak in find_leaks(instance)} == {"user data"}


def test_one_line_user_data_points_at_the_attribute() -> None:
    instance = tf("aws_instance", {"user_data": f"export AWS_SECRET_ACCESS_KEY={SECRET}"},
                  {("user_data",): Span("main.tf", 7, 3, 7, 60)})
    assert summary(instance) == [("secret-access-key", SECRET, 7)]


def test_base64_user_data_is_decoded_and_the_blob_redacted() -> None:
    blob = base64.b64encode(f"export AWS_SECRET_ACCESS_KEY={SECRET}\n".encode()).decode()
    template = tf("aws_launch_template", {"user_data": blob},
                  {("user_data",): Span("main.tf", 5)})
    leaks = find_leaks(template)
    assert [(leak.hit.value, leak.span.start_line) for leak in leaks] == [(SECRET, 5)]
    assert set(leaks[0].redact) == {SECRET, blob}


def test_base64_private_key_in_user_data() -> None:
    blob = "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpzb21lS2V5"
    config = tf("aws_launch_configuration", {"user_data_base64": blob})
    assert [leak.hit.kind for leak in find_leaks(config)] == ["private-key"]
    assert find_leaks(config, private_keys=False) == []
    assert find_leaks(tf("aws_launch_configuration", {"user_data_base64": "dGVzdA=="})) == []


def test_nested_launch_template_user_data_in_cloudformation() -> None:
    script = f"#!/bin/bash\nexport AWS_ACCESS_KEY_ID={KEY_ID}\n"
    template = cfn("AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {"UserData": script}},
                   {("Properties", "LaunchTemplateData", "UserData"): Span("t.yaml", 9, 9, 11, 40)})
    # block scalar: content lines 10-11 (the span ends on the last content line)
    assert summary(template) == [("access-key-id", KEY_ID, 11)]


def test_lambda_environment_variables() -> None:
    function = tf("aws_lambda_function", {"environment": [{"variables": {
        "foo": "AKIASXANV9XVIJ1YCIJ5", "AWS_SECRET_ACCESS_KEY": "bar", "STAGE": "prod",
        "TOKEN": "{{resolve:secretsmanager:x}}", "AWS_SESSION_TOKEN": Unknown("var.t")}}]})
    assert summary(function) == [("access-key-id", "AKIASXANV9XVIJ1YCIJ5", 1),
                                 ("secret-access-key", "bar", 1)]
    places = {leak.place for leak in find_leaks(function)}
    assert places == {"environment variable foo", "environment variable AWS_SECRET_ACCESS_KEY"}


def test_clean_lambda_environment() -> None:
    function = cfn("AWS::Lambda::Function", {"Environment": {"Variables": {
        "key1": "notasecret", "LAMBDA": "handler.handlerverylongcustomhandlernameforservi",
        "TAGS": "git.commit.sha:55e7e7703f17c41f276caf8f1a1b744d674259f8"}}})
    assert summary(function) == []


def test_ecs_container_definitions_json_is_judged_by_names() -> None:
    definitions = json.dumps([{"name": "app", "environment": [
        {"name": "AWS_SECRET_ACCESS_KEY", "value": "s3cr3t-value"},
        {"name": "SECRET_KEY", "value": "${var.secret_key}"},
        {"name": "RDS_HOST", "value": "db.example.com"}]}], indent=2)
    task = tf("aws_ecs_task_definition", {"container_definitions": definitions},
              {("container_definitions",): Span("main.tf", 4, 3, 20, 4)})
    leaks = find_leaks(task)
    assert [(leak.hit.value, leak.span.start_line, leak.place) for leak in leaks] == [
        ("s3cr3t-value", 4, "environment variable AWS_SECRET_ACCESS_KEY")]


def test_cloudformation_ecs_environment_list() -> None:
    task = cfn("AWS::ECS::TaskDefinition", {"ContainerDefinitions": [{"Environment": [
        {"Name": "AWS_ACCESS_KEY_ID", "Value": KEY_ID},
        {"Name": "AWS_SECRET_ACCESS_KEY", "Value": SECRET}]}]})
    assert [leak.hit.kind for leak in find_leaks(task)] == ["access-key-id", "secret-access-key"]


def test_cloudformation_authentication_metadata() -> None:
    literal = cfn("AWS::EC2::Instance", {}, Metadata={AUTH: {"S3Creds": {
        "type": "S3", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "secretKey": SECRET}}})
    assert [leak.hit.kind for leak in find_leaks(literal)] == ["access-key-id", "secret-access-key"]
    generated = cfn("AWS::EC2::Instance", {}, Metadata={AUTH: {"S3Creds": {
        "type": "S3", "accessKeyId": Unknown("CfnKeys", refs=("CfnKeys",)),
        "secretKey": Unknown("!GetAtt CfnKeys.SecretAccessKey", refs=("CfnKeys",))}}})
    leaks = find_leaks(generated)
    assert [(leak.hit.kind, leak.hit.label) for leak in leaks] == [
        ("secret-access-key", "secret access key generated for CfnKeys")]
    assert leaks[0].redact == ()
    by_parameter = cfn("AWS::EC2::Instance", {}, Metadata={AUTH: {"Basic": {
        "type": "basic", "username": Unknown("UserName"), "password": Unknown("Password")}}})
    assert find_leaks(by_parameter) == []


AUTH = "AWS::CloudFormation::Authentication"


def test_generated_terraform_access_key_secret_in_user_data() -> None:
    instance = tf("aws_instance", {"user_data": Unknown(
        'templatefile("init.sh", { secret = aws_iam_access_key.deploy.secret })',
        refs=("aws_iam_access_key.deploy",))})
    assert [leak.hit.label for leak in find_leaks(instance)] == [
        "secret access key generated for aws_iam_access_key.deploy"]
    tags = tf("aws_instance", {"tags": {"Key": Unknown("aws_iam_access_key.deploy.secret")}})
    assert find_leaks(tags) == []  # not a place where the secret becomes readable config


def test_login_profile_password() -> None:
    user = cfn("AWS::IAM::User", {"LoginProfile": {"Password": "myP@ssW0rd"}})
    assert [leak.hit.kind for leak in find_leaks(user)] == ["password"]
    resolved = cfn("AWS::IAM::User", {"LoginProfile": {
        "Password": "{{resolve:secretsmanager:MyRDSSecret:SecretString:password}}"}})
    assert find_leaks(resolved) == []


def test_module_inputs_and_generic_attributes() -> None:
    module = tf("module", {"source": "terraform-aws-modules/ec2-instance/aws",
                           "user_data": "export AWS_SECRET_ACCESS_KEY=your_secret_here\n"},
                kind="module", address="module.ec2")
    assert summary(module) == [("secret-access-key", "your_secret_here", 1)]
    parameter = tf("aws_ssm_parameter", {"name": "/app/key", "value": f"{KEY_ID}:{SECRET}"})
    assert [leak.hit.kind for leak in find_leaks(parameter)] == ["access-key-id",
                                                                  "secret-access-key"]


def test_example_keys_can_be_skipped() -> None:
    provider = tf("provider.aws", {"access_key": KEY_ID, "secret_key": SECRET}, kind="provider")
    assert len(find_leaks(provider)) == 2
    assert find_leaks(provider, example_keys=False) == []


def test_origins_point_at_where_the_value_was_written() -> None:
    default = Span("variables.tf", 3, 13, 3, 35)
    provider = tf("provider.aws", {"access_key": KEY_ID}, kind="provider",
                  origins={("access_key",): (default,)})
    leaks = find_leaks(provider)
    assert leaks[0].span == default
    assert not from_tfvars(provider, leaks[0])
    tfvars = Span("terraform.tfvars", 1, 14)
    from_file = tf("provider.aws", {"access_key": KEY_ID}, kind="provider",
                   origins={("access_key",): (tfvars,)})
    assert from_tfvars(from_file, find_leaks(from_file)[0])


def test_cloudformation_parameter_default() -> None:
    parameter = Resource(
        address="AwsSecretAccessKey", type="AWS::CloudFormation::Parameter",
        format=Format.CLOUDFORMATION, kind="parameter",
        attributes={"Type": "String", "NoEcho": True, "Default": "bar"},
        spans={("Default",): Span("t.yaml", 5)}, file="t.yaml")
    assert summary(parameter) == [("secret-access-key", "bar", 5)]


def test_source_text_of_unknown_values_is_scanned() -> None:
    script = Unknown('!Sub "#!/bin/bash export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE '
                     'export REGION=${AWS::Region}"')
    instance = cfn("AWS::EC2::Instance", {"UserData": script},
                   {("Properties", "UserData"): Span("t.yaml", 8, 7, 12, 30)})
    assert summary(instance) == [("access-key-id", KEY_ID, 8)]
    assert summary(cfn("AWS::EC2::Instance", {"UserData": Unknown("!Ref Script")})) == []


def test_a_resource_asked_again_gets_the_same_leaks_whatever_the_options() -> None:
    """The walk of a resource is remembered (the check and the report's redaction both ask):
    asking again, with other options, answers what a fresh walk of an equal resource answers,
    and a new resource (perhaps at a reused id) is walked afresh."""
    from linter.secrets import locate

    def make(secret: str) -> Resource:
        return cfn("AWS::Lambda::Function", {"Environment": {"Variables": {
            "AWS_SECRET_ACCESS_KEY": secret, "KEY": KEY_ID}}})

    resource = make(SECRET)
    for kwargs in ({}, {"example_keys": False}, {"scripts_everywhere": True},
                   {"private_keys": False}, {}):
        assert find_leaks(resource, **kwargs) == find_leaks(make(SECRET), **kwargs)
    assert (id(resource), False) in locate._WALKED
    assert summary(resource) != []
    for _round in range(50):  # fresh resources, some at ids of collected ones
        other = make("hunter2hunter2")
        assert summary(other) == summary(make("hunter2hunter2"))
        assert all(leak.hit.value != SECRET for leak in find_leaks(other))
