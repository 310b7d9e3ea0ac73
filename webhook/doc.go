// Package webhook verifies, decodes and handles the webhook deliveries of a
// Twenty CRM server.
//
//	v, err := webhook.NewVerifier(os.Getenv("TWENTY_WEBHOOK_SECRET"))
//	http.Handle("/twenty", webhook.Handler(v, func(ctx context.Context, e *webhook.Event) error {
//		var p api.PersonForResponse
//		return e.DecodeRecord(&p)
//	}))
//
// # Wire format
//
// Each delivery is a POST of one JSON object with Content-Type
// application/json. A webhook with a secret adds three headers:
//
//	X-Twenty-Webhook-Timestamp  Unix time in milliseconds (Date.now())
//	X-Twenty-Webhook-Signature  lowercase hex HMAC-SHA256 of "<timestamp>:<body>"
//	X-Twenty-Webhook-Nonce      16 random bytes in hex, not signed
//
// The HMAC key is the secret string as shown by Twenty (64 hex characters,
// used as text, not decoded). The server signs JSON.stringify of the payload
// and posts the same serialization, so the signed bytes are the raw body:
// verify the body as received, never a re-encoding of it. Verify also
// accepts uppercase hex, which names the same MAC. A webhook without a
// secret sends no signature; Verify refuses such deliveries.
//
// Record events carry targetUrl, eventName ("person.created"; operations
// created, updated, deleted, destroyed, restored; newer servers' event enum
// adds upserted), objectMetadata
// {id, nameSingular}, workspaceId, webhookId, eventDate (ISO 8601),
// optionally userId and workspaceMemberId, record (the record after the
// change, or before it when there is no after) and, for updates,
// updatedFields. Newer servers also send metadata events
// ("metadata.<name>.<operation>", with apiKeyId and an "event" object and
// no record). Twenty counts any answer but a 2xx as a failure, waits at
// most 5 seconds for it, and does not redeliver: the sending job catches
// delivery errors, so its retry limit never applies.
//
// The body is what the server's source sends, which differs from the
// example in Twenty's public docs ({"event", "data", "timestamp"}).
//
// # Replays
//
// The freshness window (Verifier.Tolerance, default 5 minutes, both
// directions) bounds replays of captured deliveries. Within it, a receiver
// that must not process a delivery twice should remember the signatures it
// has accepted: the nonce is not signed and can be changed by a replayer.
package webhook

// Sources read (github.com/twentyhq/twenty, packages/twenty-server/src/engine/):
// metadata-modules/webhook/jobs/call-webhook.job.ts @4225922 and @02e13c8
// (signature, headers, body), core-modules/webhook/jobs/call-webhook.job.ts
// @f13c362 and @2e9be66 (same scheme, older location),
// metadata-modules/webhook/utils/transform-event-batch-to-webhook-events.ts
// @0386428 and transform-event-to-webhook-event.ts @2166aaf (payload),
// metadata-modules/webhook/types/webhook-job-data.type.ts @41d2425 (metadata
// events), core-modules/open-api/utils/computeWebhooks.utils.ts @028166b
// (documented payload), and the unsigned 2024 job
// api/graphql/workspace-query-runner/jobs/call-webhook.job.ts @113e3e8,
// which named the event "eventType".
