// Placeholder so the backends/cpu layer library is never empty.
namespace aamp {
int backends_cpu_layer_anchor = 0;
}  // namespace aamp
