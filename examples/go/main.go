// A small Go program for the examples workspace. profiles/record.sh builds it and runs it under
// Go's CPU profiler; profiles/go-cpu.pb.gz is the result. Open that file in Heatlens and the
// heat lands here: most of it in fib, some in digest.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// fib is the hot spot: exponential recursion, a deep stack in every sample.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// digest runs an Adler-style checksum over data, rounds times: the cooler spot.
func digest(data []byte, rounds int) uint32 {
	var a, b uint32 = 1, 0
	for r := 0; r < rounds; r++ {
		for _, c := range data {
			a = (a + uint32(c)) % 65521
			b = (b + a) % 65521
		}
	}
	return b<<16 | a
}

func main() {
	out := "cpu.pb.gz"
	if len(os.Args) > 1 {
		out = os.Args[1]
	}
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("fib(41) =", fib(41))
	data := make([]byte, 1<<16)
	for i := range data {
		data[i] = byte(i * 7)
	}
	fmt.Println("digest =", digest(data, 2000))
	pprof.StopCPUProfile()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
