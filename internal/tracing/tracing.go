// Package tracing starts OpenTelemetry tracing when an OTLP endpoint is
// configured. Off (the default), nothing here runs: the server has no tracer
// provider, and the request middleware and the SQL plugin are not installed.
package tracing

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Start returns a tracer provider that sends spans in batches to url (OTLP
// over HTTP, protobuf) as service. Its Shutdown flushes the spans still
// buffered; call it once the server has stopped serving.
//
// The exporter reads the rest of the standard variables itself
// (OTEL_EXPORTER_OTLP_HEADERS, ..._TIMEOUT, ..._COMPRESSION, the TLS
// certificates), the SDK reads OTEL_TRACES_SAMPLER and its argument and
// OTEL_BSP_* (the batch), and OTEL_RESOURCE_ATTRIBUTES adds attributes to
// the service's.
func Start(ctx context.Context, url, service string) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(url))
	if err != nil {
		return nil, fmt.Errorf("OTLP exporter: %w", err)
	}
	// Schemaless, so it merges with the SDK's default resource whatever
	// schema that one declares; ours comes second and wins.
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(semconv.ServiceName(service)))
	if err != nil {
		return nil, fmt.Errorf("trace resource: %w", err)
	}
	return sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res)), nil
}
