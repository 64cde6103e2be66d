# The Klaviyo connectors (C++20): the source (the default, last stage) and the destination
# (`docker build --target destination .`). The build stage compiles both binaries on debian:bookworm
# with Debian's -dev packages; `runtime` is debian:bookworm-slim with the runtime libraries only,
# and each connector's stage adds its binary, entrypoint and labels to it.

FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      cmake g++ make pkg-config libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev catch2 libsimdjson-dev \
      libcpp-httplib-dev libcctz-dev zlib1g-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the connector build needs (see .dockerignore); sim/ is configured by the top-level
# CMakeLists (add_subdirectory(sim)), so it is copied but never built.
COPY CMakeLists.txt ./
COPY cmake ./cmake
COPY spec ./spec
COPY schemas ./schemas
COPY src ./src
COPY sim ./sim
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
 && cmake --build build -j"$(nproc)" --target source-klaviyo destination-klaviyo \
 && strip build/source-klaviyo build/destination-klaviyo \
 && build/source-klaviyo --version && build/destination-klaviyo --version

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libcurl4 libsimdjson14 libcctz2 tzdata ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/cache/apt/archives/* /var/log/apt /var/log/dpkg.log \
           /var/cache/debconf/*-old /usr/share/doc/* /usr/share/man/* \
 && groupadd --gid 1000 airbyte \
 && useradd --uid 1000 --gid airbyte --no-create-home --home-dir /airbyte --shell /usr/sbin/nologin airbyte \
 && mkdir -p /airbyte/integration_code /secrets /config /data \
 && chown -R airbyte:airbyte /airbyte /secrets /config /data

FROM runtime AS destination
COPY --from=build /src/build/destination-klaviyo /airbyte/integration_code/destination-klaviyo
WORKDIR /airbyte/integration_code
ENV AIRBYTE_ENTRYPOINT="/airbyte/integration_code/destination-klaviyo"
ENTRYPOINT ["/airbyte/integration_code/destination-klaviyo"]
LABEL io.airbyte.name="airbyte/destination-klaviyo-cpp"
LABEL io.airbyte.version="0.1.0"
USER airbyte

FROM runtime AS source
COPY --from=build /src/build/source-klaviyo /airbyte/integration_code/source-klaviyo
WORKDIR /airbyte/integration_code
ENV AIRBYTE_ENTRYPOINT="/airbyte/integration_code/source-klaviyo"
ENTRYPOINT ["/airbyte/integration_code/source-klaviyo"]
LABEL io.airbyte.name="airbyte/source-klaviyo-cpp"
LABEL io.airbyte.version="0.1.0"
USER airbyte
