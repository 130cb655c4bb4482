package store

// Translate is the store's error translation, for the tests of what real database errors
// become.
func (s *Store) Translate(err error) error { return s.translate(err) }
