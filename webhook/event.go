package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Operations, the last part of an event name.
const (
	Created   = "created"
	Updated   = "updated"
	Deleted   = "deleted" // soft delete; the record carries deletedAt
	Destroyed = "destroyed"
	Restored  = "restored"
	Upserted  = "upserted"
)

// ObjectMetadata identifies the object type of the record in a record event.
type ObjectMetadata struct {
	ID           string `json:"id"`
	NameSingular string `json:"nameSingular"`
}

// Event is one webhook delivery: Twenty sends one record (or metadata)
// change per request. Field names follow the JSON body; fields other than
// Name may be empty, depending on the event kind and the server version.
type Event struct {
	// TargetURL is the URL the webhook is registered with.
	TargetURL string `json:"targetUrl,omitempty"`
	// Name is the event name: "<object>.<operation>" for record events,
	// such as "person.created", or "metadata.<name>.<operation>" for
	// metadata events (newer servers).
	Name           string         `json:"eventName"`
	ObjectMetadata ObjectMetadata `json:"objectMetadata,omitzero"`
	WorkspaceID    string         `json:"workspaceId,omitempty"`
	WebhookID      string         `json:"webhookId,omitempty"`
	// EventDate is when the delivery was prepared on the server.
	EventDate time.Time `json:"eventDate,omitzero"`

	// Who made the change, when known.
	UserID            string `json:"userId,omitempty"`
	WorkspaceMemberID string `json:"workspaceMemberId,omitempty"`
	APIKeyID          string `json:"apiKeyId,omitempty"`
	ApplicationID     string `json:"applicationId,omitempty"`

	// Record is the record after the change or, for deletions, as it was
	// before; see DecodeRecord.
	Record json.RawMessage `json:"record,omitempty"`
	// UpdatedFields lists the changed fields of an update event.
	UpdatedFields []string `json:"updatedFields,omitempty"`
	// MetadataEvent is the "event" object of metadata events:
	// {metadataName, recordId, type, properties: {before, after, ...}}.
	MetadataEvent json.RawMessage `json:"event,omitempty"`

	// Raw is the body the event was decoded from, exactly as received.
	// Decode does not copy it.
	Raw []byte `json:"-"`
	// SentAt is the signed send time from the timestamp header, and Nonce
	// the X-Twenty-Webhook-Nonce header. Handler sets both; Decode cannot.
	// The nonce is not covered by the signature: do not rely on it to
	// detect replays.
	SentAt time.Time `json:"-"`
	Nonce  string    `json:"-"`
}

// Operation returns the part of Name after the last dot, such as
// "created", or "" if Name has no dot.
func (e *Event) Operation() string {
	i := strings.LastIndexByte(e.Name, '.')
	if i < 0 {
		return ""
	}
	return e.Name[i+1:]
}

// ObjectName returns the object part of Name: "person" for
// "person.created", "object" for the metadata event
// "metadata.object.created"; "" if Name has no dot.
func (e *Event) ObjectName() string {
	i := strings.LastIndexByte(e.Name, '.')
	if i < 0 {
		return ""
	}
	if e.IsMetadata() {
		return e.Name[len("metadata."):i]
	}
	return e.Name[:i]
}

// IsMetadata reports whether e is a metadata event
// ("metadata.<name>.<operation>") rather than a record event.
func (e *Event) IsMetadata() bool {
	return strings.HasPrefix(e.Name, "metadata.") && strings.Count(e.Name, ".") == 2
}

// DecodeRecord unmarshals the event's record into v, for example an
// *api.PersonForResponse. It fails with ErrNoRecord when the event has
// none (metadata events), and with a wrapped ErrMalformedPayload when the
// record does not fit v.
func (e *Event) DecodeRecord(v any) error {
	rec := bytes.TrimSpace(e.Record)
	if len(rec) == 0 || string(rec) == "null" {
		return ErrNoRecord
	}
	if err := json.Unmarshal(rec, v); err != nil {
		return fmt.Errorf("%w: record: %w", ErrMalformedPayload, err)
	}
	return nil
}

// eventJSON has Event's fields without its methods.
type eventJSON Event

// Decode parses a delivery body. It fails with a wrapped
// ErrMalformedPayload if body is not a JSON object of the expected shape
// or has no event name. The oldest (unsigned) servers named the event
// "eventType"; that name is accepted when "eventName" is absent.
func Decode(body []byte) (*Event, error) {
	var w struct {
		eventJSON
		EventType string `json:"eventType"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedPayload, err)
	}
	e := Event(w.eventJSON)
	if e.Name == "" {
		e.Name = w.EventType
	}
	if e.Name == "" {
		return nil, fmt.Errorf("%w: no eventName", ErrMalformedPayload)
	}
	e.Raw = body
	return &e, nil
}
