# Build: the release binary. Run: a slim Debian with the binary only.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rust-toolchain.toml build.rs ./
COPY src ./src
COPY migrations ./migrations
COPY tests ./tests
RUN cargo build --release --locked --bin cit-api

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 cit
COPY --from=build /src/target/release/cit-api /usr/local/bin/cit-api
USER cit
ENV CIT_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080 && printf "GET /readyz HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
ENTRYPOINT ["cit-api"]
CMD ["serve"]
