package twenty_test

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/twenty-go/twenty"
)

func ExampleField() {
	f := twenty.And(
		twenty.Field("name.lastName").Eq("O'Brien"),
		twenty.Field("annualRevenue.amountMicros").Gte(50_000_000_000),
		twenty.Field("createdAt").Lt(time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)),
	)
	fmt.Println(f)
	// The unmatched apostrophe has no escape in Twenty's syntax, so its
	// condition is rendered last, where it cannot swallow a comma.

	// Output:
	// annualRevenue.amountMicros[gte]:50000000000,createdAt[lt]:2024-03-01T12:00:00.000Z,name.lastName[eq]:"O'Brien"
}

func ExampleOr() {
	f := twenty.Or(
		twenty.Field("city").In("Paris", "Lyon"),
		twenty.And(
			twenty.Field("name").Eq("Doe, John (Jr)"),
			twenty.Not(twenty.Field("deletedAt").IsNull()),
		),
	)
	q := url.Values{}
	q.Set("filter", f.String())
	fmt.Println(f)
	fmt.Println(q.Encode())
	// Output:
	// or(city[in]:["Paris","Lyon"],and(name[eq]:"Doe, John (Jr)",not(deletedAt[is]:NULL)))
	// filter=or%28city%5Bin%5D%3A%5B%22Paris%22%2C%22Lyon%22%5D%2Cand%28name%5Beq%5D%3A%22Doe%2C+John+%28Jr%29%22%2Cnot%28deletedAt%5Bis%5D%3ANULL%29%29%29
}

func ExampleFilter_Err() {
	f := twenty.And(
		twenty.Field("stage").Eq("NEW"),
		twenty.Field("name").Eq("smile :)"),
	)
	if err := f.Err(); err != nil {
		fmt.Println(errors.Is(err, twenty.ErrInvalidFilter))
		fmt.Println(err)
	}
	// Sent anyway, it is refused by the server instead of matching anything.
	fmt.Println(f)
	// Output:
	// true
	// twenty: invalid filter: name[eq]: value "smile :)": unbalanced parentheses cannot be sent in a Twenty filter
	// !invalid
}

func ExampleOrderBy() {
	fmt.Println(twenty.OrderBy(
		twenty.Asc("name.lastName"),
		twenty.Desc("createdAt"),
		twenty.Asc("position").NullsLast(),
	))
	// Output: name.lastName[AscNullsFirst],createdAt[DescNullsLast],position[AscNullsLast]
}
