package twenty

import (
	"encoding/json"
	"fmt"
	"reflect"

	openapi_types "github.com/oapi-codegen/runtime/types"
)

// Ptr returns a pointer to v, for the optional fields of inputs:
// api.Person{JobTitle: twenty.Ptr("CTO")}. A nil field is not sent.
func Ptr[T any](v T) *T { return &v }

// ParseID reads a record id given as a string into the UUID type of the
// records' id fields and of nullable relation ids (CompanyID and the like).
// A malformed id is an ErrInvalidInput.
func ParseID(id string) (UUID, error) {
	if err := checkID(id); err != nil {
		return UUID{}, err
	}
	var u UUID
	if err := u.UnmarshalText([]byte(id)); err != nil {
		return UUID{}, fmt.Errorf("%w: %q is not a valid UUID", ErrInvalidInput, id)
	}
	return u, nil
}

// IDOf returns a record's id as a string, the form every method takes:
// the ID field of a typed record (api.PersonForResponse and the others, or
// a pointer to one), the "id" of a Record or of a json.RawMessage. It
// returns "" when rec has no id.
func IDOf(rec any) string {
	switch r := rec.(type) {
	case nil:
		return ""
	case Record:
		id, _ := r["id"].(string)
		return id
	case json.RawMessage:
		var v struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(r, &v) != nil {
			return ""
		}
		return v.ID
	}
	v := reflect.ValueOf(rec)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return ""
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName("ID")
	if !f.IsValid() {
		return ""
	}
	for f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	switch id := f.Interface().(type) {
	case openapi_types.UUID:
		return id.String()
	case string:
		return id
	case fmt.Stringer:
		return id.String()
	}
	return ""
}

// UUID is the type of record ids in package api (the records' ID fields
// and relation ids such as api.PersonForUpdate.CompanyID); IDOf and
// UUID.String turn one into the string every method takes, ParseID the
// other way round.
type UUID = openapi_types.UUID
