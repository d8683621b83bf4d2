// Command floor is the benchmark's floor: the least a cache hit can do. It
// reads a cached STS response from a JSON file and prints three export
// lines. tempcreds export on a cache hit is measured against it.
package main

import "github.com/tempcreds/tempcreds/bench/internal/floorprog"

func main() { floorprog.Main() }
