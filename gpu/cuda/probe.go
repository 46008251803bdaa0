//go:build cuda

package cuda

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

// Driver API entry points, called through dlsym so that nothing here links
// libcuda: a binary built with -tags cuda must start on machines without a
// driver. Return codes are CUresult values.
typedef int (*pc_init_fn)(unsigned int);
typedef int (*pc_count_fn)(int *);
typedef int (*pc_get_fn)(int *, int);
typedef int (*pc_attr_fn)(int *, int, int);
typedef int (*pc_name_fn)(char *, int, int);
typedef int (*pc_errname_fn)(int, const char **);
typedef int (*pc_version_fn)(int *);

// Attribute numbers from cuda.h (CUdevice_attribute).
#define PC_ATTR_CC_MAJOR 75
#define PC_ATTR_CC_MINOR 76

typedef struct {
	int ok;         // 1 when at least one device was found
	int count;
	int major, minor;
	int driver;     // cuDriverGetVersion
	int code;       // failing CUresult, or 0
	char name[128]; // device 0
	char why[256];  // failure description
} pc_result;

static void pc_fail(pc_result *r, void *lib, const char *call, int code)
{
	const char *ename = NULL;
	if (lib != NULL) {
		pc_errname_fn errname = (pc_errname_fn)dlsym(lib, "cuGetErrorName");
		if (errname == NULL || errname(code, &ename) != 0)
			ename = NULL;
	}
	r->code = code;
	snprintf(r->why, sizeof r->why, "%s failed: %s (%d)", call, ename ? ename : "CUDA error", code);
}

static void pc_probe(pc_result *r)
{
	memset(r, 0, sizeof *r);
	void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		const char *e = dlerror();
		snprintf(r->why, sizeof r->why, "cannot load the CUDA driver: %s", e ? e : "libcuda.so.1 not found");
		return;
	}
	pc_init_fn init = (pc_init_fn)dlsym(lib, "cuInit");
	pc_count_fn count = (pc_count_fn)dlsym(lib, "cuDeviceGetCount");
	pc_get_fn get = (pc_get_fn)dlsym(lib, "cuDeviceGet");
	pc_attr_fn attr = (pc_attr_fn)dlsym(lib, "cuDeviceGetAttribute");
	pc_name_fn name = (pc_name_fn)dlsym(lib, "cuDeviceGetName");
	pc_version_fn version = (pc_version_fn)dlsym(lib, "cuDriverGetVersion");
	if (!init || !count || !get || !attr || !name || !version) {
		snprintf(r->why, sizeof r->why, "libcuda.so.1 lacks driver API entry points");
		return;
	}
	int code, dev;
	if ((code = init(0)) != 0) {
		pc_fail(r, lib, "cuInit", code);
		return;
	}
	version(&r->driver);
	if ((code = count(&r->count)) != 0) {
		pc_fail(r, lib, "cuDeviceGetCount", code);
		return;
	}
	if (r->count < 1) {
		snprintf(r->why, sizeof r->why, "no CUDA device");
		return;
	}
	if ((code = get(&dev, 0)) != 0) {
		pc_fail(r, lib, "cuDeviceGet", code);
		return;
	}
	if ((code = attr(&r->major, PC_ATTR_CC_MAJOR, dev)) != 0 ||
	    (code = attr(&r->minor, PC_ATTR_CC_MINOR, dev)) != 0) {
		pc_fail(r, lib, "cuDeviceGetAttribute", code);
		return;
	}
	if ((code = name(r->name, sizeof r->name - 1, dev)) != 0)
		snprintf(r->name, sizeof r->name, "device 0");
	r->ok = 1;
}
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
)

// DeviceInfo describes device 0 as the probe saw it.
type DeviceInfo struct {
	Name         string
	Major, Minor int // compute capability
	Count        int // devices visible
	Driver       int // CUDA driver API version, e.g. 12040
}

func (d DeviceInfo) String() string {
	return fmt.Sprintf("%s (compute %d.%d, driver %d.%d)", d.Name, d.Major, d.Minor, d.Driver/1000, d.Driver%1000/10)
}

var (
	probeOnce   sync.Once
	probeOK     bool
	probeReason string
	probeInfo   DeviceInfo
)

// minMajor is the oldest compute capability the embedded PTX runs on.
const minMajor = 8

// Probe reports whether a usable CUDA device is present, without linking
// or initialising gorgonia.org/cu: it loads libcuda.so.1 with dlopen and
// calls cuInit and cuDeviceGetCount. When ok is false, reason says why;
// when ok is true, it describes the device. The result is computed once.
func Probe() (ok bool, reason string) {
	probeOnce.Do(func() {
		if v := os.Getenv("PLASMA_GPU"); v == "off" || v == "0" || v == "cpu" {
			probeReason = "GPU disabled by PLASMA_GPU=" + v
			return
		}
		var r C.pc_result
		C.pc_probe(&r)
		if r.ok == 0 {
			probeReason = C.GoString(&r.why[0])
			return
		}
		probeInfo = DeviceInfo{Name: C.GoString(&r.name[0]), Major: int(r.major), Minor: int(r.minor),
			Count: int(r.count), Driver: int(r.driver)}
		if probeInfo.Major < minMajor {
			probeReason = fmt.Sprintf("%v is older than compute capability %d.0, which the kernels need", probeInfo, minMajor)
			return
		}
		probeOK = true
		probeReason = probeInfo.String()
	})
	return probeOK, probeReason
}

// Device returns what Probe found about device 0.
func Device() (DeviceInfo, bool) {
	ok, _ := Probe()
	return probeInfo, ok
}
