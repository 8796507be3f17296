package engine

import (
	"context"
	"strconv"
	"time"

	"github.com/moby/moby/client"
)

// LabelExpires holds, on every container this package creates, the Unix
// time after which the container is surely no longer in use: its run's
// deadline plus the time its removal may take. A process killed before it
// could remove its container (kill -9) has its reaper remove it (see
// reaper.go); should that fail too (no reaper on this OS, the engine
// unreachable), the next [Engine.Run] or [Engine.ReadFile] of any process
// removes such expired containers.
const LabelExpires = "org.openshell.supctl.probe.expires"

// unlabelledAge is how old a container labelled [LabelProbe] but without
// [LabelExpires] (made by an older version) must be to be swept.
const unlabelledAge = time.Hour

// labels are the labels of a container this package creates, expiring at
// deadline.
func labels(extra map[string]string, deadline time.Time) map[string]string {
	l := map[string]string{}
	for k, v := range extra {
		l[k] = v
	}
	l[LabelProbe] = ProbeTag
	l[LabelExpires] = strconv.FormatInt(deadline.Add(removeTimeout).Unix(), 10)
	return l
}

// sweep removes, once per Engine, the expired containers of this package
// that killed processes left. It is best effort: errors are ignored.
func (e *Engine) sweep(ctx context.Context) {
	if e.swept.Swap(true) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, removeTimeout)
	defer cancel()
	res, err := e.cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", LabelProbe)})
	if err != nil {
		return
	}
	now := time.Now()
	for _, c := range res.Items {
		exp, err := strconv.ParseInt(c.Labels[LabelExpires], 10, 64)
		expired := err == nil && now.Unix() > exp
		if err != nil {
			expired = now.Sub(time.Unix(c.Created, 0)) > unlabelledAge
		}
		if expired {
			e.cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		}
	}
}
