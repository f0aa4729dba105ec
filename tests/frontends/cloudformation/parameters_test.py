"""Parameter values: defaults, parameter files (AWS CLI and CodePipeline shapes), --cfn-param."""

from __future__ import annotations

import json
import pathlib

import pytest

from linter.errors import ConfigError
from linter.model import Unknown
from tests.frontends.cloudformation.cfn_helpers import evaluate, only, props

TEMPLATE = """
Parameters:
  Tokens:
    Type: String
    Default: optional
  Limit:
    Type: Number
    Default: 1
  NoDefault:
    Type: String
  FromSsm:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /config/tokens
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      MetadataOptions:
        HttpTokens: !Ref Tokens
        HttpPutResponseHopLimit: !Ref Limit
        HttpEndpoint: !Ref NoDefault
      Tag: !Ref FromSsm
"""
TOKENS = ("Properties", "MetadataOptions", "HttpTokens")


def test_defaults_and_their_origin() -> None:
    result = evaluate(TEMPLATE)
    web = only(result, "Web")
    options = web.attributes["Properties"]["MetadataOptions"]
    assert options["HttpTokens"] == "optional"
    assert options["HttpPutResponseHopLimit"] == 1
    assert isinstance(options["HttpEndpoint"], Unknown)
    assert isinstance(web.attributes["Properties"]["Tag"], Unknown)
    assert "SSM" in web.attributes["Properties"]["Tag"].reason
    (origin,) = web.origins[TOKENS]
    assert (origin.file, origin.start_line) == ("template.yaml", 4)  # the Default line
    assert web.spans[TOKENS].start_line == 18  # the attribute itself


def test_flag_overrides_default() -> None:
    result = evaluate(TEMPLATE, cfn_parameters={"Tokens": "required", "NoDefault": "enabled"})
    options = props(result, "Web")["MetadataOptions"]
    assert options["HttpTokens"] == "required"
    assert options["HttpEndpoint"] == "enabled"
    assert TOKENS not in only(result, "Web").origins  # a flag has no source location


def test_aws_cli_parameter_file(tmp_path: pathlib.Path) -> None:
    file = tmp_path / "params.json"
    file.write_text(json.dumps([
        {"ParameterKey": "Tokens", "ParameterValue": "required"},
        {"ParameterKey": "Limit", "UsePreviousValue": True},
    ], indent=2))
    result = evaluate(TEMPLATE, root=tmp_path, cfn_parameter_files=(str(file),))
    web = only(result, "Web")
    assert web.attributes["Properties"]["MetadataOptions"]["HttpTokens"] == "required"
    assert web.attributes["Properties"]["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    (origin,) = web.origins[TOKENS]
    assert (origin.file, origin.start_line) == ("params.json", 4)


def test_codepipeline_file_then_flag_precedence(tmp_path: pathlib.Path) -> None:
    first = tmp_path / "a.json"
    first.write_text(json.dumps({"Parameters": {"Tokens": "required", "Limit": "3"}}))
    second = tmp_path / "b.json"
    second.write_text(json.dumps({"Parameters": {"Limit": "2"}}))
    result = evaluate(TEMPLATE, root=tmp_path, cfn_parameter_files=(str(first), str(second)),
                      cfn_parameters={"Tokens": "optional"})
    options = props(result, "Web")["MetadataOptions"]
    assert options["HttpTokens"] == "optional"
    assert options["HttpPutResponseHopLimit"] == "2"


def test_list_parameters_split_on_commas(tmp_path: pathlib.Path) -> None:
    result = evaluate("""
Parameters:
  Names:
    Type: List<String>
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      Names: !Ref Names
      First: !Select [0, !Ref Names]
""", cfn_parameters={"Names": "a,b"})
    assert props(result, "Web") == {"Names": ["a", "b"], "First": "a"}


@pytest.mark.parametrize("content", [
    "not json", json.dumps({"Tokens": "x"}), json.dumps([{"ParameterValue": "x"}]),
    json.dumps([{"ParameterKey": "Tokens"}]),
], ids=["syntax", "shape", "no-key", "no-value"])
def test_broken_parameter_file_is_a_config_error(tmp_path: pathlib.Path, content: str) -> None:
    file = tmp_path / "params.json"
    file.write_text(content)
    with pytest.raises(ConfigError) as raised:
        evaluate(TEMPLATE, root=tmp_path, cfn_parameter_files=(str(file),))
    assert raised.value.file == str(file)


def test_missing_parameter_file_is_a_config_error(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError):
        evaluate(TEMPLATE, root=tmp_path, cfn_parameter_files=(str(tmp_path / "none.json"),))


def test_an_ssm_typed_parameter_remembers_the_ssm_parameter_it_reads() -> None:
    result = evaluate("""
Parameters:
  LatestAmiId:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64
Resources:
  Web:
    Type: AWS::EC2::Instance
    Properties:
      ImageId: !Ref LatestAmiId
""")
    image = only(result, "Web").attributes["Properties"]["ImageId"]
    assert isinstance(image, Unknown)
    assert image.expression == "!Ref LatestAmiId"
    assert image.resolved_from == (
        "ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-x86_64")


def test_parameters_with_a_default_are_resources() -> None:
    result = evaluate("""
        Parameters:
          AccessKey:
            Type: String
            NoEcho: true
            Default: AKIAIOSFODNN7EXAMPLE
          Zones:
            Type: CommaDelimitedList
            Default: [a, b]
          NoDefault:
            Type: String
        Resources:
          Web:
            Type: AWS::EC2::Instance
        """)
    parameters = {r.address: r for r in result.resources if r.kind == "parameter"}
    assert set(parameters) == {"AccessKey", "Zones"}
    key = parameters["AccessKey"]
    assert key.type == "AWS::CloudFormation::Parameter"
    assert key.attributes == {"Type": "String", "NoEcho": True,
                              "Default": "AKIAIOSFODNN7EXAMPLE"}
    assert type(key.attributes["Default"]) is str  # no decoder node subclass
    assert key.spans[("Default",)].start_line == 5
    assert key.header.start_line == 2
    assert parameters["Zones"].attributes["Default"] == ["a", "b"]
