/* <siphost/api/db.h> is C99: this file compiles it as C99 with pedantic errors, and the test calls it. */
#include <siphost/api/db.h>

/* The first cell of a result through the header's C helper, or NULL when it has none. */
const siphost_db_value *db_header_c99_first_cell(const siphost_db_result *result) {
    if (result == NULL || result->row_count == 0 || result->col_count == 0)
        return NULL;
    return siphost_db_cell(result, 0, 0);
}

/* The driver of url through the header's C helper. */
const siphost_db_api_v1 *db_header_c99_find(const siphost_host_api *host, const char *url, size_t len) {
    siphost_str text;
    text.s = url;
    text.len = len;
    return siphost_db_find_api(host, text);
}
