package authn_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/twenty-go/twenty/authn"
)

func Example() {
	cred, err := authn.NewCredential("my-api-key")
	if err != nil {
		fmt.Println(err)
		return
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://api.twenty.com/rest/people", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	// With the generated client: api.WithRequestEditorFn(cred.RequestEditor()).
	if err := cred.RequestEditor()(req.Context(), req); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Header.Get("Authorization"))
	fmt.Println(cred) // printing never reveals the key

	// Plain http is refused for remote hosts.
	insecure, _ := http.NewRequest(http.MethodGet, "http://crm.example.com/rest/people", nil)
	err = cred.RequestEditor()(context.Background(), insecure)
	fmt.Println(errors.Is(err, authn.ErrInsecureTransport))
	// Output:
	// Bearer my-api-key
	// authn.Credential{key:[REDACTED]}
	// true
}

func ExampleNormalizeBaseURL() {
	for _, raw := range []string{"", "https://crm.example.com/rest/", "https://crm.example.com/twenty/rest"} {
		base, _ := authn.NormalizeBaseURL(raw)
		fmt.Println(base)
	}
	// Output:
	// https://api.twenty.com
	// https://crm.example.com
	// https://crm.example.com/twenty
}

func ExampleClassify() {
	body := []byte(`{"statusCode":401,"messages":["Token has expired."],"error":"UNAUTHENTICATED"}`)
	err := authn.Classify(http.StatusUnauthorized, body)
	fmt.Println(errors.Is(err, authn.ErrExpiredAPIKey))
	fmt.Println(err)

	forbidden := []byte(`{"statusCode":403,"messages":["This endpoint is not available to this caller"],"error":"FORBIDDEN_EXCEPTION"}`)
	fmt.Println(authn.Classify(http.StatusForbidden, forbidden))
	// Output:
	// true
	// authn: API key expired (HTTP 401 UNAUTHENTICATED: Token has expired.)
	// <nil>
}

func ExampleFromLookup() {
	env := map[string]string{
		authn.EnvAPIKey:  "my-api-key",
		authn.EnvBaseURL: "https://crm.example.com/rest/",
	}
	cfg, err := authn.FromLookup(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", *cfg)

	_, err = authn.FromLookup(func(string) (string, bool) { return "", false })
	fmt.Println(err)
	// Output:
	// {Credential:authn.Credential{key:[REDACTED]} BaseURL:https://crm.example.com}
	// authn: API key missing: set environment variable TWENTY_API_KEY
}
