// The conversion report's page script and style sheet (src/aamp/api/report_assets/report.js and
// report.css), embedded at build time: CMake (report_assets/embed.cmake) writes them into a
// generated .cc as raw string literals, so the report needs no file next to the binary.
#pragma once

namespace aamp::report_assets {

extern const char kReportJs[];
extern const char kReportCss[];

}  // namespace aamp::report_assets
