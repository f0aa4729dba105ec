# iaclint in a container:
#   docker build -t iaclint .
#   docker run --rm -v "$PWD:/src" iaclint check .
#   docker run --rm -v "$PWD:/src" --user "$(id -u):$(id -g)" iaclint check . -f sarif -o iaclint.sarif
# Slim Python, iaclint installed from this checkout as a wheel, run as a user without privileges.
# git is there for --diff-base (it reads the base revision with `git archive`).

ARG PYTHON_VERSION=3.12

FROM python:${PYTHON_VERSION}-slim AS build
WORKDIR /build
COPY pyproject.toml README.md ./
COPY linter ./linter
COPY rules ./rules
RUN python -m pip wheel --no-cache-dir --disable-pip-version-check --wheel-dir /wheels .

FROM python:${PYTHON_VERSION}-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends git \
    && rm -rf /var/lib/apt/lists/* \
    # the mounted repository belongs to another user: let git read it for --diff-base
    && git config --system --add safe.directory '*' \
    && useradd --create-home --uid 10001 --user-group iaclint
COPY --from=build /wheels /wheels
RUN python -m pip install --no-cache-dir --disable-pip-version-check /wheels/*.whl \
    && rm -rf /wheels
USER 10001:10001
WORKDIR /src
ENV PYTHONDONTWRITEBYTECODE=1
ENTRYPOINT ["iaclint"]
CMD ["check", "."]
