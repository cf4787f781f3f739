# ctctform as a container: `docker run --rm -v "$PWD:/work" -e CTCT_ACCESS_TOKEN ctctform plan`.
# Build with `make image` (or `docker build -t ctctform .`); needs BuildKit (Docker 23+).

# -- build: the wheel, from the sdist as a release makes it --------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install "build>=1.2"
WORKDIR /src
COPY . .
RUN python -m build --outdir /dist .

# -- runtime: only the wheel and its dependencies ------------------------------------------
FROM python:3.11-slim
LABEL org.opencontainers.image.title="ctctform" \
      org.opencontainers.image.description="Infrastructure-as-code for Constant Contact accounts" \
      org.opencontainers.image.source="https://github.com/ctctform/ctctform" \
      org.opencontainers.image.licenses="MIT"
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# The wheel is bind-mounted from the build stage, so it never becomes a layer of this image.
RUN --mount=type=bind,from=build,source=/dist,target=/dist \
    pip install /dist/*.whl
# Non-root; the segment cache and the credential store live under its home
# (~/.cache/ctctform, ~/.config/ctctform): mount volumes there to keep them between runs.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin ctctform \
    && mkdir /work && chown ctctform: /work
USER ctctform
WORKDIR /work
ENTRYPOINT ["ctctform"]
CMD ["--help"]
