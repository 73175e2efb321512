// Placeholder so the api layer library is never empty.
namespace aamp {
int api_layer_anchor = 0;
}  // namespace aamp
