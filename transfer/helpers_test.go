package transfer_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/twenty-go/twenty"
	"github.com/twenty-go/twenty/transfer"
	"github.com/twenty-go/twenty/twentytest"
)

var fastRetries = twenty.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxAttempts: 8}

func standardSpec(t testing.TB) *transfer.Spec {
	t.Helper()
	sp, err := transfer.ParseSpec(twenty.OpenAPISpec())
	require.NoError(t, err)
	return sp
}

func clientFor(t testing.TB, s *twentytest.Server, opts ...twenty.Option) *twenty.Client {
	t.Helper()
	c, err := twenty.NewClient(append([]twenty.Option{twenty.WithAPIKey(s.APIKey()), twenty.WithBaseURL(s.URL()),
		twenty.WithRetryPolicy(fastRetries)}, opts...)...)
	require.NoError(t, err)
	return c
}

// importer builds an Importer of object from text in format f.
func importer(t testing.TB, c *twenty.Client, object, text string, f transfer.Format, o transfer.MapOptions) (*transfer.Importer, *transfer.Input) {
	t.Helper()
	in, err := transfer.ReadInput(strings.NewReader(text), f)
	require.NoError(t, err)
	sp := standardSpec(t)
	s, err := sp.Schema(object)
	require.NoError(t, err)
	m, err := transfer.NewMapping(sp, s, in.Headers, o)
	require.NoError(t, err)
	return &transfer.Importer{Client: c, Mapping: m}, in
}

func rejectsOf(t testing.TB, in *transfer.Input) (*transfer.Rejects, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	r, err := transfer.NewRejects(&buf, in, true)
	require.NoError(t, err)
	return r, &buf
}

func run(t testing.TB, im *transfer.Importer, in *transfer.Input) transfer.Summary {
	t.Helper()
	sum, err := im.Run(context.Background(), in)
	require.NoError(t, err)
	return sum
}

func standardSpecBytes() []byte { return twenty.OpenAPISpec() }
