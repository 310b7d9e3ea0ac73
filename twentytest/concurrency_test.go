package twentytest_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/twenty-go/twenty/api"
	"github.com/twenty-go/twenty/twentytest"
)

// Clients hammering the server while faults are rescheduled: run with
// -race. Every create either answered 201 or met an injected 503.
func TestConcurrentClients(t *testing.T) {
	t.Parallel()
	s := twentytest.NewServer(t)
	c := client(t, s)
	var wg sync.WaitGroup
	var mu sync.Mutex
	created, refused := 0, 0
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if i%5 == 0 {
					s.FailNext(twentytest.Fault{Kind: twentytest.FaultStatus, Status: 503})
				}
				res, err := c.CreateOneCompanyWithResponse(ctx, nil, api.Company{Name: ptr(fmt.Sprintf("w%d-%d", w, i))})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				switch res.StatusCode() {
				case 201:
					created++
				case 503:
					refused++
				default:
					t.Errorf("status %d", res.StatusCode())
				}
				mu.Unlock()
				if _, err := c.FindManyCompaniesWithResponse(ctx, &api.FindManyCompaniesParams{Limit: ptr(5)}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 80, created+refused)
	assert.Len(t, s.Records("companies"), 8+created)
	assert.Equal(t, 80, s.RequestsFor("createOneCompany"))
	assert.Equal(t, 160, s.Requests())
}
