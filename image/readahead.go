package image

import (
	"io"
	"sync"
)

// readAhead reads r in a goroutine, a few chunks ahead of the consumer, so
// decompression and hashing run on one core while the unpacker's writes run
// on another. Close stops the goroutine; it must be called.
type readAhead struct {
	full  chan []byte // chunks read, in order
	free  chan []byte // chunks to reuse
	err   error       // the reader's last error, set before full is closed
	chunk []byte      // the chunk being consumed, whole
	cur   []byte      // what is left of it
	stop  chan struct{}
	done  sync.WaitGroup
	close sync.Once
}

const (
	readAheadChunk = 1 << 20
	readAheadDepth = 4
)

func newReadAhead(r io.Reader) *readAhead {
	ra := &readAhead{
		full: make(chan []byte, readAheadDepth),
		free: make(chan []byte, readAheadDepth+1),
		stop: make(chan struct{}),
	}
	for range readAheadDepth + 1 {
		ra.free <- make([]byte, readAheadChunk)
	}
	ra.done.Go(func() { ra.fill(r) })
	return ra
}

func (ra *readAhead) fill(r io.Reader) {
	defer close(ra.full)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.stop:
			return
		}
		n, err := io.ReadFull(r, buf[:cap(buf)])
		if n > 0 {
			select {
			case ra.full <- buf[:n]:
			case <-ra.stop:
				return
			}
		}
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		if err != nil {
			ra.err = err
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.chunk != nil {
			ra.free <- ra.chunk
			ra.chunk = nil
		}
		buf, ok := <-ra.full
		if !ok {
			return 0, ra.err
		}
		ra.chunk, ra.cur = buf, buf
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the reading goroutine and waits for it.
func (ra *readAhead) Close() error {
	ra.close.Do(func() { close(ra.stop) })
	ra.done.Wait()
	return nil
}
