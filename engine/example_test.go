package engine_test

import (
	"fmt"

	"github.com/openshell-contrib/supctl/engine"
)

// Discover says where the engine is and why, without contacting it.
func ExampleDiscover() {
	ep, err := engine.Discover(engine.Auto, engine.Env{DockerHost: "tcp://10.0.0.2:2376"})
	if err != nil {
		panic(err)
	}
	fmt.Println(ep.Host, "from", ep.Why())
	_, err = engine.Discover(engine.Auto, engine.Env{DockerHost: "ssh://me@build-host"})
	fmt.Println(err != nil)
	// Output:
	// tcp://10.0.0.2:2376 from DOCKER_HOST
	// true
}
