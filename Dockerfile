# syntax=docker/dockerfile:1
# Build: a static binary (no cgo), migrations embedded.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/syncboard .

# Run: no shell, no package manager, a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/syncboard /syncboard
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/syncboard"]
