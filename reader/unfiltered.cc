#include "reader/unfiltered.h"

namespace sstablefs::reader {

bool IsBoundary(BoundKind k) {
  return k == BoundKind::kExclEndInclStartBoundary ||
         k == BoundKind::kInclEndExclStartBoundary;
}

bool IsStart(BoundKind k) {
  return k == BoundKind::kInclStartBound || k == BoundKind::kExclStartBound ||
         IsBoundary(k);
}

bool IsEnd(BoundKind k) {
  return k == BoundKind::kInclEndBound || k == BoundKind::kExclEndBound ||
         IsBoundary(k);
}

}  // namespace sstablefs::reader
