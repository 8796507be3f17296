//go:build linux

package bench

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// linkProfile is what the relay makes of the link, in each direction (as
// netem's "delay D rate R loss L" on both ends of a veth pair would).
type linkProfile struct {
	name  string
	delay time.Duration // one way
	rate  float64       // bits per second
	loss  float64       // share of packets dropped, 0 to 1
	limit int           // packets queued or in flight per direction (netem's default: 1000)
}

// relay moves IP packets between the registry's TUN device and the
// clients': each packet leaves after the ones queued before it at the
// profile's rate, arrives a one-way delay later, and is dropped at random
// with the profile's loss, or when the queue is full. It logs when the last
// TCP payload byte of each client port was delivered to the clients' side.
type relay struct {
	reg, cli *os.File
	wg       sync.WaitGroup

	mu       sync.Mutex
	profile  linkProfile
	rng      *rand.Rand
	lastData map[uint16]time.Time // client port → last payload delivered to it
	dropped  int
}

type packet struct {
	b  []byte
	at time.Time // delivery time
}

func startRelay(reg, cli *os.File) *relay {
	r := &relay{reg: reg, cli: cli, rng: rand.New(rand.NewPCG(1, 2)), lastData: map[uint16]time.Time{},
		profile: linkProfile{limit: 1000}}
	for _, d := range []struct {
		src, dst *os.File
		down     bool
	}{{reg, cli, true}, {cli, reg, false}} {
		q := make(chan packet, 4096)
		r.wg.Go(func() { r.read(d.src, q) })
		r.wg.Go(func() { r.deliver(d.dst, q, d.down) })
	}
	return r
}

// SetProfile changes the link.
func (r *relay) SetProfile(p linkProfile) {
	if p.limit <= 0 {
		p.limit = 1000
	}
	r.mu.Lock()
	r.profile = p
	r.mu.Unlock()
}

// Reset forgets the log of last bytes and the drop count.
func (r *relay) Reset() {
	r.mu.Lock()
	clear(r.lastData)
	r.dropped = 0
	r.mu.Unlock()
}

// LastData returns when the last payload byte sent to any of ports
// arrived, zero if none did.
func (r *relay) LastData(ports []int) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var last time.Time
	for _, p := range ports {
		if t := r.lastData[uint16(p)]; t.After(last) {
			last = t
		}
	}
	return last
}

// Close stops the relay and removes the TUN devices.
func (r *relay) Close() {
	r.reg.Close()
	r.cli.Close()
	r.wg.Wait()
}

func (r *relay) read(src *os.File, q chan<- packet) {
	defer close(q)
	var next time.Time // when the link is free again
	buf := make([]byte, 65536)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		now := time.Now()
		r.mu.Lock()
		p := r.profile
		drop := p.loss > 0 && r.rng.Float64() < p.loss
		if !drop && len(q) >= min(p.limit, cap(q)) {
			drop = true
		}
		if drop {
			r.dropped++
		}
		r.mu.Unlock()
		if drop {
			continue
		}
		if next.Before(now) {
			next = now
		}
		if p.rate > 0 {
			next = next.Add(time.Duration(float64(n*8) / p.rate * float64(time.Second)))
		}
		q <- packet{b: append([]byte(nil), buf[:n]...), at: next.Add(p.delay)}
	}
}

func (r *relay) deliver(dst *os.File, q <-chan packet, down bool) {
	for p := range q {
		if d := time.Until(p.at); d > 0 {
			time.Sleep(d)
		}
		if _, err := dst.Write(p.b); err != nil {
			continue
		}
		if port, ok := tcpPayloadTo(p.b); ok && down {
			r.mu.Lock()
			r.lastData[port] = time.Now()
			r.mu.Unlock()
		}
	}
}

// tcpPayloadTo returns the destination port of an IPv4 TCP packet that
// carries payload.
func tcpPayloadTo(b []byte) (uint16, bool) {
	if len(b) < 20 || b[0]>>4 != 4 || b[9] != 6 {
		return 0, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:4]))
	if ihl < 20 || total < ihl+20 || total > len(b) {
		return 0, false
	}
	tcp := b[ihl:total]
	off := int(tcp[12]>>4) * 4
	if len(tcp) <= off {
		return 0, false
	}
	return binary.BigEndian.Uint16(tcp[2:4]), true
}

// wanProfiles are the WAN links of the report: 40 ms RTT at 100 Mbit/s,
// without and with 1 % loss each way.
var wanProfiles = []linkProfile{
	{name: "40 ms RTT, 100 Mbit/s", delay: 20 * time.Millisecond, rate: 100e6},
	{name: "40 ms RTT, 100 Mbit/s, 1 % loss", delay: 20 * time.Millisecond, rate: 100e6, loss: 0.01},
}
