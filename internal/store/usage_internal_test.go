package store

import "testing"

func TestBatches(t *testing.T) {
	for n := 0; n <= 3*maxBatch+5; n++ {
		next := 0
		for _, b := range batches(n) {
			size := b[1] - b[0]
			if b[0] != next || size < 1 || size > maxBatch || size&(size-1) != 0 {
				t.Fatalf("batches(%d) = %v", n, batches(n))
			}
			next = b[1]
		}
		if next != n {
			t.Fatalf("batches(%d) covers %d rows", n, next)
		}
	}
}
