"""An allocation-heavy Python program for bench/pyOverhead.mjs (the memory mode's cost): small
objects, lists, dicts and strings made and dropped in a loop, a few call levels deep."""
import sys


class Point(object):
    __slots__ = ('x', 'y')

    def __init__(self, x, y):
        self.x = x
        self.y = y


def points(n):
    return [Point(i, -i) for i in range(n)]


def records(n):
    return [{'id': i, 'name': 'item-%d' % i, 'tags': [i, i + 1]} for i in range(n)]


def round_(n):
    kept = points(n)
    rows = records(n)
    text = ','.join(r['name'] for r in rows)
    return len(kept) + len(rows) + len(text)


def main(scale):
    total = 0
    for _ in range(scale):
        total += round_(20000)
    return total


if __name__ == '__main__':
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
