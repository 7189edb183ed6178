// The part of ONNX Runtime's C API (onnxruntime_c_api.h, MIT licence, Microsoft) that Retina uses,
// declared by hand: the PyPI wheel Retina installs the library from ships no headers.
//
// OrtApi is a table of function pointers that ONNX Runtime only ever appends to, so its members are
// listed here in the real header's order, by name, up to the last one Retina calls
// (ReleaseSessionOptions, index 100). Members Retina does not call are plain `void *` slots of the
// same size. The library is opened with dlopen at run time (retina_ort_load), so `retina` starts
// and its classical detectors work on a machine without it.
#ifndef RETINA_CONNXRUNTIME_H
#define RETINA_CONNXRUNTIME_H

#include <stddef.h>
#include <stdint.h>

// Every function Retina calls exists since API version 1; any library from 1.16 on answers this.
#define RETINA_ORT_API_VERSION 16

typedef struct OrtEnv OrtEnv;
typedef struct OrtStatus OrtStatus;
typedef struct OrtMemoryInfo OrtMemoryInfo;
typedef struct OrtSession OrtSession;
typedef struct OrtValue OrtValue;
typedef struct OrtRunOptions OrtRunOptions;
typedef struct OrtTypeInfo OrtTypeInfo;
typedef struct OrtTensorTypeAndShapeInfo OrtTensorTypeAndShapeInfo;
typedef struct OrtSessionOptions OrtSessionOptions;
typedef struct OrtAllocator OrtAllocator;

typedef enum ONNXTensorElementDataType {
  ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED = 0,
  ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT = 1,
} ONNXTensorElementDataType;

typedef enum OrtLoggingLevel {
  ORT_LOGGING_LEVEL_VERBOSE,
  ORT_LOGGING_LEVEL_INFO,
  ORT_LOGGING_LEVEL_WARNING,
  ORT_LOGGING_LEVEL_ERROR,
  ORT_LOGGING_LEVEL_FATAL,
} OrtLoggingLevel;

typedef enum OrtAllocatorType { OrtInvalidAllocator = -1, OrtDeviceAllocator = 0, OrtArenaAllocator = 1 } OrtAllocatorType;
typedef enum OrtMemType { OrtMemTypeCPUInput = -2, OrtMemTypeCPUOutput = -1, OrtMemTypeDefault = 0 } OrtMemType;

typedef struct OrtApi {
  void *CreateStatus;                                                                                     // 0
  void *GetErrorCode;                                                                                     // 1
  const char *(*GetErrorMessage)(const OrtStatus *status);                                                // 2
  OrtStatus *(*CreateEnv)(OrtLoggingLevel level, const char *logid, OrtEnv **out);                        // 3
  void *CreateEnvWithCustomLogger;                                                                        // 4
  void *EnableTelemetryEvents;                                                                            // 5
  void *DisableTelemetryEvents;                                                                           // 6
  OrtStatus *(*CreateSession)(const OrtEnv *env, const char *model_path, const OrtSessionOptions *options,
                              OrtSession **out);                                                          // 7
  void *CreateSessionFromArray;                                                                           // 8
  OrtStatus *(*Run)(OrtSession *session, const OrtRunOptions *run_options, const char *const *input_names,
                    const OrtValue *const *inputs, size_t input_len, const char *const *output_names,
                    size_t output_names_len, OrtValue **outputs);                                         // 9
  OrtStatus *(*CreateSessionOptions)(OrtSessionOptions **options);                                        // 10
  void *SetOptimizedModelFilePath;                                                                        // 11
  void *CloneSessionOptions;                                                                              // 12
  void *SetSessionExecutionMode;                                                                          // 13
  void *EnableProfiling;                                                                                  // 14
  void *DisableProfiling;                                                                                 // 15
  void *EnableMemPattern;                                                                                 // 16
  void *DisableMemPattern;                                                                                // 17
  void *EnableCpuMemArena;                                                                                // 18
  OrtStatus *(*DisableCpuMemArena)(OrtSessionOptions *options);                                           // 19
  void *SetSessionLogId;                                                                                  // 20
  void *SetSessionLogVerbosityLevel;                                                                      // 21
  void *SetSessionLogSeverityLevel;                                                                       // 22
  void *SetSessionGraphOptimizationLevel;                                                                 // 23
  OrtStatus *(*SetIntraOpNumThreads)(OrtSessionOptions *options, int intra_op_num_threads);               // 24
  OrtStatus *(*SetInterOpNumThreads)(OrtSessionOptions *options, int inter_op_num_threads);               // 25
  void *CreateCustomOpDomain;                                                                             // 26
  void *CustomOpDomain_Add;                                                                               // 27
  void *AddCustomOpDomain;                                                                                // 28
  void *RegisterCustomOpsLibrary;                                                                         // 29
  OrtStatus *(*SessionGetInputCount)(const OrtSession *session, size_t *out);                             // 30
  OrtStatus *(*SessionGetOutputCount)(const OrtSession *session, size_t *out);                            // 31
  void *SessionGetOverridableInitializerCount;                                                            // 32
  OrtStatus *(*SessionGetInputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);      // 33
  OrtStatus *(*SessionGetOutputTypeInfo)(const OrtSession *session, size_t index, OrtTypeInfo **out);     // 34
  void *SessionGetOverridableInitializerTypeInfo;                                                         // 35
  OrtStatus *(*SessionGetInputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                    char **value);                                                        // 36
  OrtStatus *(*SessionGetOutputName)(const OrtSession *session, size_t index, OrtAllocator *allocator,
                                     char **value);                                                       // 37
  void *SessionGetOverridableInitializerName;                                                             // 38
  void *CreateRunOptions;                                                                                 // 39
  void *RunOptionsSetRunLogVerbosityLevel;                                                                // 40
  void *RunOptionsSetRunLogSeverityLevel;                                                                 // 41
  void *RunOptionsSetRunTag;                                                                              // 42
  void *RunOptionsGetRunLogVerbosityLevel;                                                                // 43
  void *RunOptionsGetRunLogSeverityLevel;                                                                 // 44
  void *RunOptionsGetRunTag;                                                                              // 45
  void *RunOptionsSetTerminate;                                                                           // 46
  void *RunOptionsUnsetTerminate;                                                                         // 47
  void *CreateTensorAsOrtValue;                                                                           // 48
  OrtStatus *(*CreateTensorWithDataAsOrtValue)(const OrtMemoryInfo *info, void *p_data, size_t p_data_len,
                                               const int64_t *shape, size_t shape_len,
                                               ONNXTensorElementDataType type, OrtValue **out);           // 49
  void *IsTensor;                                                                                         // 50
  OrtStatus *(*GetTensorMutableData)(OrtValue *value, void **out);                                        // 51
  void *FillStringTensor;                                                                                 // 52
  void *GetStringTensorDataLength;                                                                        // 53
  void *GetStringTensorContent;                                                                           // 54
  OrtStatus *(*CastTypeInfoToTensorInfo)(const OrtTypeInfo *type_info,
                                         const OrtTensorTypeAndShapeInfo **out);                          // 55
  void *GetOnnxTypeFromTypeInfo;                                                                          // 56
  void *CreateTensorTypeAndShapeInfo;                                                                     // 57
  void *SetTensorElementType;                                                                             // 58
  void *SetDimensions;                                                                                    // 59
  OrtStatus *(*GetTensorElementType)(const OrtTensorTypeAndShapeInfo *info, ONNXTensorElementDataType *out); // 60
  OrtStatus *(*GetDimensionsCount)(const OrtTensorTypeAndShapeInfo *info, size_t *out);                   // 61
  OrtStatus *(*GetDimensions)(const OrtTensorTypeAndShapeInfo *info, int64_t *dim_values, size_t length); // 62
  void *GetSymbolicDimensions;                                                                            // 63
  void *GetTensorShapeElementCount;                                                                       // 64
  OrtStatus *(*GetTensorTypeAndShape)(const OrtValue *value, OrtTensorTypeAndShapeInfo **out);            // 65
  void *GetTypeInfo;                                                                                      // 66
  void *GetValueType;                                                                                     // 67
  void *CreateMemoryInfo;                                                                                 // 68
  OrtStatus *(*CreateCpuMemoryInfo)(OrtAllocatorType type, OrtMemType mem_type, OrtMemoryInfo **out);     // 69
  void *CompareMemoryInfo;                                                                                // 70
  void *MemoryInfoGetName;                                                                                // 71
  void *MemoryInfoGetId;                                                                                  // 72
  void *MemoryInfoGetMemType;                                                                             // 73
  void *MemoryInfoGetType;                                                                                // 74
  void *AllocatorAlloc;                                                                                   // 75
  OrtStatus *(*AllocatorFree)(OrtAllocator *allocator, void *p);                                          // 76
  void *AllocatorGetInfo;                                                                                 // 77
  OrtStatus *(*GetAllocatorWithDefaultOptions)(OrtAllocator **out);                                       // 78
  void *AddFreeDimensionOverride;                                                                         // 79
  void *GetValue;                                                                                         // 80
  void *GetValueCount;                                                                                    // 81
  void *CreateValue;                                                                                      // 82
  void *CreateOpaqueValue;                                                                                // 83
  void *GetOpaqueValue;                                                                                   // 84
  void *KernelInfoGetAttribute_float;                                                                     // 85
  void *KernelInfoGetAttribute_int64;                                                                     // 86
  void *KernelInfoGetAttribute_string;                                                                    // 87
  void *KernelContext_GetInputCount;                                                                      // 88
  void *KernelContext_GetOutputCount;                                                                     // 89
  void *KernelContext_GetInput;                                                                           // 90
  void *KernelContext_GetOutput;                                                                          // 91
  void (*ReleaseEnv)(OrtEnv *input);                                                                      // 92
  void (*ReleaseStatus)(OrtStatus *input);                                                                // 93
  void (*ReleaseMemoryInfo)(OrtMemoryInfo *input);                                                        // 94
  void (*ReleaseSession)(OrtSession *input);                                                              // 95
  void (*ReleaseValue)(OrtValue *input);                                                                  // 96
  void *ReleaseRunOptions;                                                                                // 97
  void (*ReleaseTypeInfo)(OrtTypeInfo *input);                                                            // 98
  void (*ReleaseTensorTypeAndShapeInfo)(OrtTensorTypeAndShapeInfo *input);                                // 99
  void (*ReleaseSessionOptions)(OrtSessionOptions *input);                                                // 100
} OrtApi;

/// Opens the library at `path` with dlopen and returns its API table (version
/// RETINA_ORT_API_VERSION), or NULL with the reason written into `error` (dlerror's text, a missing
/// entry point, or a library too old for that version). `version` receives the library's own
/// version string. The library stays loaded for the life of the process.
const OrtApi *retina_ort_load(const char *path, const char **version, char *error, size_t error_length);

#endif
