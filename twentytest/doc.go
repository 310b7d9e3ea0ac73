// Package twentytest is an in-memory fake of Twenty CRM's REST API, in the
// spirit of stripe-mock, for testing code that talks to Twenty.
//
// NewServer starts one on 127.0.0.1 for a test and closes it with the
// test; Start does the same for programs. It serves the thirteen /rest
// operations (find many and one, create one and many with upsert, update
// one and many, delete one and many with soft_delete, restore one and many,
// duplicates, merge, group by) for every object of the data model, with the
// newer server's statuses, envelopes, error bodies, filter and order_by
// grammar, opaque cursors, limits and record shapes ("" for empty text, []
// for empty arrays, null for empty ids, dates, numbers and selects). The
// workspace is seeded with a small sample (8 companies, 20 people, 6
// opportunities, notes, tasks and their targets, 2 workspace members) whose
// ids and timestamps never change; see SeedID.
//
// # Spec checking
//
// Every exchange is checked against openapi.yaml, the contract the api
// package is generated from (or, with WithModelJSON or once the metadata API
// has changed the model, the spec generated from the served model). A response that breaks it fails the test, and so does a
// request that breaks it but was accepted (AllowOffSpecRequests relaxes
// that). Answering an off-spec request with a 4xx is what the real server
// does and is not reported. Injected faults are not checked.
//
// # Faults and counting
//
// FailNext and FailRandomly make requests meet an error status (with or
// without Retry-After; 502 as a proxy's HTML page), a dropped connection, a
// truncated body or a delay. Fault.Applied chooses whether the operation
// happened anyway, the case that makes retrying unsafe. Requests and
// RequestsFor count what arrived, by operationId. WithRequestBudget answers
// 429 as newer servers do, with Retry-After and X-RateLimit headers.
//
// # Authentication
//
// APIKey is accepted. ExpiredKey, RevokedKey, keys added with AddKey and
// unknown keys are refused exactly as the real server's middleware does
// (403 for a missing header or a revoked key, 401 "Token invalid." for
// unknown or malformed keys, 401 for expired ones); WithErrorFormat(
// Documented) answers in the body of Twenty's API documentation instead,
// all with status 401, as the fake did by default before. A `?token=`
// query parameter is ignored, as on newer servers.
//
// # Fidelity
//
// The server's REST integration suites are ported to this package's
// fidelity_*_test.go (go test -run Fidelity). PUT is served as PATCH.
// GET /rest/open-api/core answers the spec the fake validates against, as
// JSON (only a skeleton without a key). The pre-2.x /rest/restore/...
// paths are a 400, as on 2.x. Group-by refuses viewId: the fake keeps no
// saved views (view_id, which the server does not read, is ignored).
//
// # Where the fake chooses
//
// Where the real server's behaviour is unknown or varies, the fake picks one
// and sticks to it: a new record's position is one more than the largest;
// destroying a record sets references to it to null; restore many without
// a filter restores every soft-deleted record; duplicates of an unknown id
// are none; merge keeps the priority record's non-empty values, fills the
// rest from the others in order and turns their emails, phones and links
// into additional ones; group-by groups are ordered by their values unless
// order_by names a grouped field or an aggregate; counts are numbers, other
// numeric aggregates strings.
//
// The metadata API serves objects and fields from the same model and
// changes it: creating a custom object (it gets id, createdAt, updatedAt,
// deletedAt, a TEXT name, position, createdBy and updatedBy; Twenty's
// searchVector and its relations to attachments, favorites and the like
// are left out) makes /rest/<plural> work at once, validated against a
// spec regenerated from the new model. Objects and fields can be
// relabelled, described and deactivated (isActive false hides them from
// REST, records kept); only custom ones can be deleted, and only once
// deactivated, which takes their records (or values) with them. New
// fields take the types the spec generator knows (TEXT, NUMBER, BOOLEAN,
// DATE_TIME, SELECT with options, CURRENCY, ...), existing records get
// their default or empty value; a RELATION with relationCreationPayload
// (MANY_TO_ONE or ONE_TO_MANY) also creates the far side, named from
// targetFieldLabel, the MANY_TO_ONE side storing <name>Id. Ids derive from
// names, as metamodel.ObjectID and FieldID do. Not supported, with a 400:
// renaming objects or fields, changing isNullable, defaults of composite
// types, MORPH_RELATION. Webhooks are read-write too. Answers use the newer
// unified envelope or, with WithMetadataFormat(MetadataLegacy), the legacy
// one (writes under createOneObject, updateOneField, ...; creates answer
// 201); lists page with ids as cursors.
//
// # Webhooks
//
// Webhooks registered through /rest/metadata/webhooks or AddWebhook
// receive the record changes made through the API, as the real server
// sends them: one POST per change and webhook, Content-Type
// application/json, the payload of package webhook's Event (eventName such
// as person.created, objectMetadata, workspaceId, webhookId, eventDate,
// record, and updatedFields for updates) and, when the webhook has a
// secret, the signature headers of webhook.SignedHeaders, timestamped on
// the server's clock (WithClock). A webhook gets an event when its
// operations hold person.created, person.*, *.created or *.* (a new
// webhook's default). Events are created, updated (updates, upserts that
// update, and the record a merge keeps; updatedFields lists the fields
// the request wrote, or for a merge those that changed), deleted (soft),
// destroyed (deletions, and the records a merge absorbs) and restored.
// Records are shown at depth 0: after the change, or as they were for
// destroyed. Failed operations deliver nothing; Create, the Go method,
// delivers nothing either.
//
// Deliveries run in the background, one at a time and in order per
// webhook, with a 5-second timeout and no retries (the real server retries
// none) nor redirects. WaitDeliveries waits for them and Deliveries
// reports them. They only go to loopback addresses unless
// AllowExternalWebhooks is set; others end with ErrNotLoopback, unsent.
package twentytest
