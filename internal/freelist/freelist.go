// Package freelist keeps a few large scratch values from one use to the
// next. A sync.Pool drops what it holds at every garbage collection, and a
// block engine allocates its big buffers again after each one: that costs
// the allocation, the zeroing and the page faults of memory the runtime
// may meanwhile have given back to the operating system. A List holds at
// most a fixed number of values, and the caller decides which are too
// large to keep.
package freelist

import "sync"

// List is a bounded stack of *T, safe for concurrent use. The zero List
// keeps nothing; set Max first.
type List[T any] struct {
	// Max is how many values the list keeps at most.
	Max int
	// New, when set, makes the value Get returns when none is kept.
	New  func() *T
	mu   sync.Mutex
	free []*T
}

// Get returns a kept value, else New's (nil without New).
func (l *List[T]) Get() *T {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := len(l.free)
	if n == 0 {
		if l.New != nil {
			return l.New()
		}
		return nil
	}
	x := l.free[n-1]
	l.free[n-1] = nil
	l.free = l.free[:n-1]
	return x
}

// Put keeps x unless the list is full. x must not be used afterwards and
// should hold no pointers into data its last user is done with.
func (l *List[T]) Put(x *T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < l.Max {
		l.free = append(l.free, x)
	}
}

// Len returns how many values the list holds.
func (l *List[T]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.free)
}
