// Package authn handles authentication to the Twenty CRM REST API: the API
// key, the base URL, and recognising authentication failures in responses.
//
// # Credentials
//
// A Credential wraps an API key (Twenty keys are JWTs; the workspace is
// implied by the key). NewCredential rejects keys with whitespace, control
// or non-ASCII characters instead of trimming them. RequestEditor returns a
// function, assignable to the generated client's RequestEditorFn, that sets
// "Authorization: Bearer <key>". It refuses to send the key over plain http
// to a non-loopback host unless AllowInsecureHTTP is given, and fails with
// ErrExpiredAPIKey once the key's exp claim has passed, before sending.
//
// The key is never printed: String, GoString, Format and LogValue all show
// "authn.Credential{key:[REDACTED]}" or an equivalent, and no error message
// from this package contains it.
//
// # Configuration
//
// FromEnv reads TWENTY_API_KEY and TWENTY_BASE_URL. NormalizeBaseURL accepts
// the forms users paste ("https://crm.example.com/rest/", a path prefix for a
// self-hosted instance) and returns the base without the /rest suffix.
//
// # Errors
//
// Classify maps a response status and body to an *Error wrapping
// ErrUnauthorized, ErrMissingAuthHeader, ErrExpiredAPIKey or ErrRevokedAPIKey,
// accepting both the documented error body and the one the server actually
// sends. Permission refusals of a valid key are not authentication failures
// and give nil.
package authn
