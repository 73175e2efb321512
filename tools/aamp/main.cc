#include <cstdio>
int main() { std::puts("aamp"); return 0; }
