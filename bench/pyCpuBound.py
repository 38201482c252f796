"""A CPU-bound Python program for bench/pyOverhead.mjs: a mix of call-heavy recursion, tight
loops, string building and dict updates, about 1.5-2 s of CPU on a 2020s machine."""
import sys


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def loop(n):
    s = 0
    for i in range(n):
        s += (i * i) % 7
    return s


def strings(n):
    parts = []
    for i in range(n):
        parts.append(str(i))
    return len(','.join(parts))


def dicts(n):
    d = {}
    for i in range(n):
        k = i % 1000
        d[k] = d.get(k, 0) + i
    return len(d)


def main(scale):
    total = 0
    for _ in range(scale):
        total += fib(22)
        total += loop(400000)
        total += strings(150000)
        total += dicts(300000)
    return total


if __name__ == '__main__':
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 4))
