package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// writeMix is the write load: a createContact, then an updateContact of a contact created
// earlier, about one for one, with emails unique per run.
type writeMix struct {
	mu               sync.Mutex
	n                int
	prefix           string
	created          []string
	creates, updates int
}

func newWriteMix() *writeMix {
	return &writeMix{prefix: fmt.Sprintf("m%d", time.Now().UnixNano())}
}

const (
	createMutation = `mutation($in: CreateContactInput!) { createContact(input: $in) { id email } }`
	updateMutation = `mutation($id: ID!, $t: String) { updateContact(id: $id, input: {title: $t}) { id title updatedAt } }`
)

func (m *writeMix) next() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	var v map[string]any
	if len(m.created) > 0 {
		id := m.created[0]
		m.created = m.created[1:]
		m.updates++
		v = map[string]any{"query": updateMutation, "variables": map[string]any{"id": id, "t": fmt.Sprintf("VP %d", m.updates)}}
	} else {
		m.n++
		m.creates++
		v = map[string]any{"query": createMutation, "variables": map[string]any{"in": map[string]any{
			"email": fmt.Sprintf("%s_%d@bench.example", m.prefix, m.n), "firstName": "Ann", "lastName": "Lee",
			"company": "Acme", "tags": []string{"vip", "bench"}}}}
	}
	b, _ := json.Marshal(v)
	return b
}

var createdID = regexp.MustCompile(`"createContact":\{"id":"([^"]+)"`)

func (m *writeMix) answered(b []byte) {
	if id := createdID.FindSubmatch(b); id != nil {
		m.mu.Lock()
		m.created = append(m.created, string(id[1]))
		m.mu.Unlock()
	}
}

// countObjects counts the entity objects of a GraphQL or REST answer: objects that are not
// connection wrappers, edges, pageInfo or the data root.
func countObjects(b []byte) int {
	var doc map[string]any
	if json.Unmarshal(b, &doc) != nil {
		return 0
	}
	n := 0
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			_, edges := v["edges"]
			_, nodes := v["nodes"]
			_, info := v["pageInfo"]
			_, pinfo := v["page_info"]
			_, node := v["node"]
			_, cursor := v["cursor"]
			edge := node && (len(v) == 1 || (len(v) == 2 && cursor))
			if !edges && !nodes && !info && !pinfo && !edge && key != "pageInfo" && key != "page_info" && key != "data" && key != "" {
				n++
			}
			for k, x := range v {
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, "item")
			}
		}
	}
	if data, ok := doc["data"]; ok {
		walk(data, "data")
	} else {
		walk(doc, "data") // REST: the body itself
	}
	return n
}

// backends follows the CPU of PostgreSQL's client backends of one database (the server's
// pool), sampled while the load runs: a backend that exits keeps the CPU it last showed.
type backends struct {
	conn *pgx.Conn
	db   string
	mu   sync.Mutex
	base map[int]int64 // ticks at the start (or 0 for backends that appeared later)
	last map[int]int64
	done chan struct{}
	wg   sync.WaitGroup
}

func newBackends(url string) *backends {
	b := &backends{}
	if url == "" {
		return b
	}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		log.Fatal(err)
	}
	b.conn = conn
	if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&b.db); err != nil {
		log.Fatal(err)
	}
	return b
}

func (b *backends) pids() []int {
	rows, err := b.conn.Query(context.Background(), `SELECT pid FROM pg_stat_activity
		WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`, b.db)
	if err != nil {
		log.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		log.Fatal(err)
	}
	return pids
}

func (b *backends) sample(first bool) {
	for _, pid := range b.pids() {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", pid)); err != nil {
			continue
		}
		t := cpuTicks(pid)
		b.mu.Lock()
		if _, ok := b.base[pid]; !ok {
			if first {
				b.base[pid] = t
			} else {
				b.base[pid] = 0
			}
		}
		b.last[pid] = t
		b.mu.Unlock()
	}
}

func (b *backends) start() {
	if b.conn == nil {
		return
	}
	b.base, b.last, b.done = map[int]int64{}, map[int]int64{}, make(chan struct{})
	b.sample(true)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-b.done:
				return
			case <-t.C:
				b.sample(false)
			}
		}
	}()
}

// stop returns the backends' CPU ticks since start.
func (b *backends) stop() int64 {
	if b.conn == nil {
		return 0
	}
	close(b.done)
	b.wg.Wait()
	b.sample(false)
	var sum int64
	for pid, t := range b.last {
		sum += t - b.base[pid]
	}
	return sum
}
