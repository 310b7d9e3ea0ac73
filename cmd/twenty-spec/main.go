// Command twenty-spec writes openapi.yaml from a Twenty data model.
//
//	twenty-spec -o openapi.yaml            # the standard model in this repository
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/twenty-go/twenty/internal/model"
	"github.com/twenty-go/twenty/internal/specgen"
)

func main() {
	out := flag.String("o", "", "write the spec to this file instead of stdout")
	modelFile := flag.String("model", "", "read the data model from this JSON file instead of the standard model")
	flag.Parse()
	if err := run(*out, *modelFile); err != nil {
		fmt.Fprintln(os.Stderr, "twenty-spec:", err)
		os.Exit(1)
	}
}

func run(out, modelFile string) error {
	m := model.Standard()
	if modelFile != "" {
		data, err := os.ReadFile(modelFile)
		if err != nil {
			return err
		}
		if m, err = model.Parse(data); err != nil {
			return err
		}
	}
	spec, err := specgen.Generate(m, specgen.Options{})
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(spec)
		return err
	}
	return os.WriteFile(out, spec, 0o644)
}
