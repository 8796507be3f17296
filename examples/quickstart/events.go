package main

import (
	"context"
	"log/slog"
	"sync"
)

// events is a slog.Handler that keeps the library's decisions (one log
// event each: cache-hit, incompatible, refreshed, extracted, linked...)
// so the quickstart can tell them as a story, and passes every record on
// to next, the log on stderr.
type events struct {
	next slog.Handler
	mu   *sync.Mutex
	list *[]event
}

// event is one decision: its name and attributes.
type event struct {
	msg   string
	attrs map[string]string
}

func newEvents(next slog.Handler) *events {
	return &events{next: next, mu: &sync.Mutex{}, list: &[]event{}}
}

func (h *events) Enabled(ctx context.Context, l slog.Level) bool { return true }

func (h *events) Handle(ctx context.Context, r slog.Record) error {
	e := event{msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool { e.attrs[a.Key] = a.Value.String(); return true })
	h.mu.Lock()
	*h.list = append(*h.list, e)
	h.mu.Unlock()
	if h.next.Enabled(ctx, r.Level) {
		return h.next.Handle(ctx, r)
	}
	return nil
}

func (h *events) WithAttrs(as []slog.Attr) slog.Handler {
	return &events{next: h.next.WithAttrs(as), mu: h.mu, list: h.list}
}

func (h *events) WithGroup(name string) slog.Handler {
	return &events{next: h.next.WithGroup(name), mu: h.mu, list: h.list}
}

// take returns the events since the last take, and forgets them.
func (h *events) take() []event {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := *h.list
	*h.list = nil
	return out
}

// find returns the first event called msg, if any.
func find(es []event, msg string) (event, bool) {
	for _, e := range es {
		if e.msg == msg {
			return e, true
		}
	}
	return event{}, false
}
