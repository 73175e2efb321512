// Placeholder so the io layer library is never empty.
namespace aamp {
int io_layer_anchor = 0;
}  // namespace aamp
