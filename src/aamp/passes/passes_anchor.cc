// Placeholder so the passes layer library is never empty.
namespace aamp {
int passes_layer_anchor = 0;
}  // namespace aamp
