package compat_test

import (
	"errors"
	"fmt"

	"github.com/openshell-contrib/supctl/compat"
)

func Example() {
	r, err := compat.Parse(">=0.0.47-0 <0.1.0")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, v := range []string{"0.0.37-dev.160", "0.0.47-dev.12", "0.0.47-dev.13+g57b71c68f", "0.1.0"} {
		ok, err := r.Contains(v)
		fmt.Println(v, ok, err)
	}
	// Output:
	// 0.0.37-dev.160 false <nil>
	// 0.0.47-dev.12 true <nil>
	// 0.0.47-dev.13+g57b71c68f true <nil>
	// 0.1.0 false <nil>
}

func ExampleParse_error() {
	_, err := compat.Parse(">=0.0.47-0 <0.x")
	fmt.Println(err)
	var pe *compat.ParseError
	if errors.As(err, &pe) {
		fmt.Println(pe.Offset, pe.Token)
	}
	// Output:
	// bad range ">=0.0.47-0 <0.x": "<0.x" at offset 11 is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)
	// 11 <0.x
}

func ExampleRange_String() {
	r := compat.MustParse("  >= v0.0.47-0   <0.1.0||=1.0.0+build")
	fmt.Println(r)
	// Output:
	// >=0.0.47-0 <0.1.0 || 1.0.0+build
}

func ExampleRange_Contains() {
	r := compat.MustParse("=1.0.0+a")
	fmt.Println(r.Contains("1.0.0+b"))
	fmt.Println(r.Contains("1.0"))
	// Output:
	// true <nil>
	// false bad version: "1.0" is not a semantic version (want MAJOR.MINOR.PATCH, e.g. 0.1.0)
}

func ExampleCompare() {
	fmt.Println(compat.Compare("0.0.47-dev.12", "0.0.47"))
	fmt.Println(compat.Compare("1.0.0-beta.2", "1.0.0-beta.11"))
	fmt.Println(compat.Compare("1.0.0+a", "v1.0.0+b"))
	// Output:
	// -1 <nil>
	// -1 <nil>
	// 0 <nil>
}
