package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/twenty-go/twenty/webhook"
)

func Example() {
	secret := "6f1c2a9e8b7d4c3f0a1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978" // as shown by Twenty
	v, err := webhook.NewVerifier(secret)
	if err != nil {
		panic(err)
	}
	endpoint := webhook.Handler(v, func(ctx context.Context, e *webhook.Event) error {
		var person struct {
			Name struct{ FirstName, LastName string } `json:"name"`
		}
		if err := e.DecodeRecord(&person); err != nil {
			return err
		}
		fmt.Println(e.Operation(), e.ObjectName(), person.Name.FirstName, person.Name.LastName)
		return nil
	})

	// What Twenty would send.
	body := `{"eventName":"person.created","objectMetadata":{"id":"20202020-e674-48e5-a542-72570eee7213","nameSingular":"person"},"record":{"name":{"firstName":"Ada","lastName":"Lovelace"}}}`
	req := httptest.NewRequest(http.MethodPost, "/twenty", strings.NewReader(body))
	req.Header = webhook.SignedHeaders([]byte(secret), time.Now(), []byte(body))
	rec := httptest.NewRecorder()
	endpoint.ServeHTTP(rec, req)
	fmt.Println(rec.Code)

	// The same delivery with a changed body is refused.
	req = httptest.NewRequest(http.MethodPost, "/twenty", strings.NewReader(strings.Replace(body, "Ada", "Eve", 1)))
	req.Header = webhook.SignedHeaders([]byte(secret), time.Now(), []byte(body))
	rec = httptest.NewRecorder()
	endpoint.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// created person Ada Lovelace
	// 200
	// 401
}
