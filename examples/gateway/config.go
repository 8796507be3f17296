package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/openshell-contrib/supctl/gateway"
)

// fromGatewayConfig fills what the flags left empty from the gateway's own
// gateway.toml, read through package gateway exactly as the OpenShell
// gateway reads it: path if given (its --config), else
// OPENSHELL_GATEWAY_CONFIG, else $XDG_CONFIG_HOME/openshell/gateway.toml,
// with gateway.env applied. [openshell.drivers.docker] supervisor_bin, else
// supervisor_image (its own or inherited from [openshell.gateway]), name the
// supervisor: the first two tiers of the gateway's Docker driver.
func fromGatewayConfig(ctx context.Context, cfg driverConfig, path string, env gateway.Env, log *slog.Logger) (driverConfig, error) {
	if cfg.SupervisorBin != "" || cfg.SupervisorImage != "" {
		return cfg, nil
	}
	g, err := gateway.Read(ctx, gateway.Options{Config: path, Env: env, NoVersion: true, NoEngine: true})
	if err != nil {
		return cfg, err
	}
	c := g.Config
	if c.Syntax != nil {
		return cfg, fmt.Errorf("the gateway's config %s: line %d: %s", c.Path, c.Syntax.Line, c.Syntax.Msg)
	}
	if c.Error != "" {
		return cfg, fmt.Errorf("the gateway's config: %s", c.Error)
	}
	if s, ok := c.Docker["supervisor_bin"]; ok && s.Kind == "string" {
		cfg.SupervisorBin = s.Str
		log.Info("supervisor from the gateway's config", "config", c.Path, "line", s.Line, "supervisor_bin", s.Str)
	} else if s, ok := c.Docker["supervisor_image"]; ok && s.Kind == "string" {
		cfg.SupervisorImage = s.Str
		log.Info("supervisor from the gateway's config", "config", c.Path, "line", s.Line, "table", s.From, "supervisor_image", s.Str)
	}
	return cfg, nil
}
