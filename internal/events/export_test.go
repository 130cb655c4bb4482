package events

// Test access to the broker's and listener's internals.

// SetBuffer sets how many undelivered events a new subscriber may have.
func (b *Broker) SetBuffer(n int) { b.buffer = n }

// StartListenerWatched is StartListener that reports the backend pid of each connection it
// listens on, so that a test can terminate it.
func (b *Broker) StartListenerWatched(url string, onListen func(pid uint32)) *Listener {
	l := b.newListener(url)
	l.onListen = onListen
	l.start()
	return l
}
