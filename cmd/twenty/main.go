// Command twenty is a command-line client for Twenty's REST API.
//
//	twenty help                         # every command, its flags, the filter grammar
//	twenty demo                         # a tour against a built-in fake, no setup needed
//	twenty ping                         # check TWENTY_API_KEY and TWENTY_BASE_URL
//	twenty list people --limit 5 --filter 'jobTitle[eq]:CTO'
//	twenty list companies --limit 2 | twenty create companies --upsert
//	twenty export companies --format csv --out companies.csv
//
// Every command has --help. The API key comes from TWENTY_API_KEY or
// --api-key-file, never from a flag value, so it stays out of shell history
// and process listings. Commands are registered in the table in cli.go.
package main

import (
	"context"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
