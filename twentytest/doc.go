// Package twentytest is an in-memory fake of Twenty CRM's REST API, in the
// spirit of stripe-mock, for testing code that talks to Twenty.
//
// NewServer starts one on 127.0.0.1 for a test and closes it with the
// test. It serves all thirteen /rest operations for every object of the
// data model (find, create, batch create and upsert, update, delete, soft
// delete and restore, duplicates, merge, group by) with the real server's
// statuses, envelopes, error bodies, filter grammar, cursors and limits, on
// a small seeded workspace with fixed ids (see SeedID).
//
// Every exchange is checked against openapi.yaml, the contract the api
// package is generated from: a response that breaks it, or a request that
// breaks it and was still accepted, fails the test. Refusing an off-spec
// request with a 4xx is normal behaviour and is not reported, and injected
// faults are exempt.
//
// Faults (FailNext, FailRandomly) make the server answer an error status,
// drop the connection, truncate the body or wait, so retry and timeout
// code can be tested; Requests and RequestsFor count what arrived.
//
// Authentication: APIKey is accepted; ExpiredKey, RevokedKey, keys added
// with AddKey and unknown keys are refused, in the documented error format
// or, with WithErrorFormat(Real), exactly as the real server does.
package twentytest
