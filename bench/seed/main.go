// Command seed fills a database with a benchmark workspace: contacts, lists, memberships and
// deals in the proportions of bench/README.md, through the store (so the tenant scope and
// validation apply as in production), and prints a read key for it.
//
//	DATABASE_URL=postgres://… go run ./bench/seed -contacts 10000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"sync"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

func main() {
	contacts := flag.Int("contacts", 10_000, "contacts in the workspace")
	lists := flag.Int("lists", 20, "lists in the workspace")
	campaigns := flag.Int("campaigns", 20, "campaigns in the workspace, each with a list")
	workers := flag.Int("workers", 4, "concurrent writers")
	flag.Parse()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		log.Fatal("DATABASE_URL is not set: the bench measures PostgreSQL")
	}
	ctx := context.Background()
	st, err := store.Open(store.Options{URL: url})
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	ws, err := st.CreateWorkspace(ctx, "Bench", models.PlanOrg)
	if err != nil {
		log.Fatal(err)
	}
	wctx := store.WithWorkspace(ctx, ws.ID)
	rng := rand.New(rand.NewPCG(1, 2)) // the same shape on every run
	var listIDs []string
	for i := range *lists {
		l, err := st.CreateList(wctx, models.CreateListInput{Name: fmt.Sprintf("List %02d", i+1)})
		if err != nil {
			log.Fatal(err)
		}
		listIDs = append(listIDs, l.ID)
	}
	// Each contact: 0-3 list memberships and, on average, half a deal.
	type plan struct{ memberships, deals int }
	plans := make([]plan, *contacts)
	for i := range plans {
		plans[i] = plan{memberships: rng.IntN(4), deals: []int{0, 0, 1, 1}[rng.IntN(4)]}
		if rng.IntN(10) == 0 {
			plans[i].deals = 0
		}
	}
	ids := make([]string, *contacts)
	var wg sync.WaitGroup
	next := make(chan int)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				first, last, company := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i), fmt.Sprintf("Company %d", i%500)
				c, err := st.CreateContact(wctx, models.CreateContactInput{Email: fmt.Sprintf("c%06d@example.com", i),
					FirstName: &first, LastName: &last, Company: &company})
				if err != nil {
					log.Fatal(err)
				}
				ids[i] = c.ID
				for d := range plans[i].deals {
					amount := 1000 * (d + 1)
					if _, err := st.CreateDeal(wctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d", i), Amount: &amount, ContactID: &c.ID}); err != nil {
						log.Fatal(err)
					}
				}
			}
		}()
	}
	for i := range *contacts {
		next <- i
	}
	close(next)
	wg.Wait()
	members := make([][]string, len(listIDs))
	for i, id := range ids {
		for _, l := range rng.Perm(len(listIDs))[:plans[i].memberships] {
			members[l] = append(members[l], id)
		}
	}
	for l, m := range members {
		for start := 0; start < len(m); start += 1000 {
			if _, err := st.AddContactsToList(wctx, listIDs[l], m[start:min(start+1000, len(m))]); err != nil {
				log.Fatal(err)
			}
		}
	}
	// One campaign per list, so that campaigns reach their list and its member count.
	for i := range *campaigns {
		subject := fmt.Sprintf("Subject %d", i+1)
		if _, err := st.CreateCampaign(wctx, models.CreateCampaignInput{Name: fmt.Sprintf("Campaign %02d", i+1),
			ListID: &listIDs[i%len(listIDs)], Subject: &subject}); err != nil {
			log.Fatal(err)
		}
	}
	// Fresh tables have no statistics until autovacuum gets to them: the planner would pick
	// plans for empty tables and the first measurements would be of those.
	if err := st.DB().WithContext(ctx).Exec("ANALYZE").Error; err != nil {
		log.Fatal(err)
	}
	key, prefix, hash := auth.NewKey()
	k := &models.ApiKey{WorkspaceID: ws.ID, Name: "bench", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet("read")}
	if err := st.CreateAPIKey(ctx, k); err != nil {
		log.Fatal(err)
	}
	// A key that may also write, for the write mix.
	wkey, wprefix, whash := auth.NewKey()
	wk := &models.ApiKey{WorkspaceID: ws.ID, Name: "bench-write", Prefix: wprefix, KeyHash: whash, Scopes: models.ParsePermissionSet("read,write")}
	if err := st.CreateAPIKey(ctx, wk); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("WS_ID=%s\nKEY=%s\nWKEY=%s\n", ws.ID, key, wkey)
}
