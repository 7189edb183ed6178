#include "COnnxRuntime.h"

#include <dlfcn.h>
#include <stdio.h>

// OrtGetApiBase's result, as in onnxruntime_c_api.h.
typedef struct OrtApiBase {
  const OrtApi *(*GetApi)(uint32_t version);
  const char *(*GetVersionString)(void);
} OrtApiBase;

const OrtApi *retina_ort_load(const char *path, const char **version, char *error, size_t error_length) {
  // RTLD_LOCAL: its symbols stay out of the global namespace; nothing else links against them.
  void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    const char *reason = dlerror();
    snprintf(error, error_length, "%s", reason ? reason : "dlopen failed");
    return NULL;
  }
  const OrtApiBase *(*getApiBase)(void) = (const OrtApiBase *(*)(void))dlsym(library, "OrtGetApiBase");
  if (getApiBase == NULL) {
    snprintf(error, error_length, "%s has no OrtGetApiBase: not ONNX Runtime", path);
    dlclose(library);
    return NULL;
  }
  const OrtApiBase *base = getApiBase();
  *version = base->GetVersionString();
  const OrtApi *api = base->GetApi(RETINA_ORT_API_VERSION);
  if (api == NULL) {
    snprintf(error, error_length, "ONNX Runtime %s does not offer API version %d (1.16 or newer needed)", *version,
             RETINA_ORT_API_VERSION);
    dlclose(library);
    return NULL;
  }
  return api;
}
