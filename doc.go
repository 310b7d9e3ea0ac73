// Package twenty is a client for the REST API of Twenty, the open-source
// CRM. It wraps the client generated from openapi.yaml (package api) with
// what generated code cannot give: typed errors, pagination, batching,
// safe retries, a rate limit and sane defaults.
//
//	client, err := twenty.NewClientFromEnv()
//	for person, err := range client.People().All(ctx, nil) { ... }
//
// # Authentication
//
// Every request carries the API key as "Authorization: Bearer <key>".
// NewClientFromEnv reads it from TWENTY_API_KEY and the instance URL from
// TWENTY_BASE_URL (default https://api.twenty.com; a self-hosted URL may
// carry a path prefix, with or without a trailing /rest). The key is never
// sent over plain http:// except to loopback (NewClient refuses such a base
// URL; WithInsecureHTTP overrides),
// never carried by a redirect to another scheme, host or port, never logged,
// and printed only in redacted form; a server echoing it back does not put
// it into errors. An expired key (keys are JWTs) fails before anything is
// sent.
//
// # Inputs
//
// Inputs send only what is set. Optional fields are pointers: Ptr sets one
// (api.Person{JobTitle: twenty.Ptr("CTO")}), nil leaves it alone. Fields
// that may be cleared, such as relation ids (api.PersonForUpdate.CompanyID),
// are nullable.Nullable[T] from github.com/oapi-codegen/nullable: set with
// nullable.NewNullableWithValue(v), cleared with nullable.NewNullNullable[T]()
// (sent as null), left alone as the zero value. Ids are strings wherever a
// method takes one; IDOf gives a record's id as a string and ParseID reads
// one into UUID, the type of the records' id fields.
//
// # Errors
//
// Every non-2xx answer, from the typed operations and from the generated
// client returned by API alike, is an *APIError: status, code, the server's
// messages, method, path template and request id. Use errors.Is with
// ErrBadRequest, ErrForbidden, ErrNotFound, ErrRateLimited, ErrServer and
// the authentication sentinels (ErrUnauthorized, ErrMissingAuthHeader,
// ErrExpiredAPIKey, ErrRevokedAPIKey); errors.As gives the details, such as
// RetryAfter. Both the documented error body and the one Twenty servers
// really send are understood, and a body that is not JSON at all (a proxy's
// HTML page) still gives an *APIError with a short snippet.
//
// One value a record's Go type cannot hold (a fraction in an integer
// field, an object where text belongs) never fails a page: it is repaired
// or left out and reported as a DecodeWarning, in Page.Warnings and to the
// callback set with WithDecodeWarnings; see DecodeWarning.
//
// A write whose answer was lost (a dropped connection after the request
// was sent) matches ErrOutcomeUnknown: it may or may not have happened, and
// it is not retried. Create with CreateOptions.Upsert to make it safe to
// retry.
//
// # Pagination
//
// List fetches one page; All yields every record, following the server's
// opaque cursors. All sends nothing until the loop starts, does not modify
// the options passed to it, stops after yielding an error and stops
// fetching when the loop breaks. ListOptions.Prefetch requests the next
// page while the loop body works on the current one. Filters and orders are
// built with Field, And, Or, Not, Asc and Desc, never by hand.
//
// # Batching
//
// CreateMany sends any number of records in batches of 200, the server's
// maximum (WithBatchSize for fewer), one after another or
// CreateOptions.Concurrency at a time, and returns the records in input
// order. An older server that takes fewer per batch says so when it refuses
// the first one; CreateMany re-sends in batches of its size, once, and the
// client keeps that size. All asks for pages of 200. If a batch fails, the
// error is a *BatchError saying which records were created, which failed
// and which were never sent.
//
// # Retries and rate limits
//
// A 429 is retried after the server's Retry-After (seconds, an HTTP date,
// or the newer body's retryAfterSeconds) or an exponential backoff with
// jitter; 5xx answers and connection errors are retried only for requests
// that are safe to replay (GET, PATCH, DELETE, duplicate searches and
// upserts). Waits end when the context does. RetryPolicy sets the limits;
// NoRetries turns retries off. WithRateLimit spaces requests so a bulk job
// stays under the workspace's budget (100 requests a minute on Twenty Cloud)
// instead of collecting 429s; the limit is shared by every goroutine that
// uses the client.
package twenty
