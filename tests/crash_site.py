# SPDX-License-Identifier: Apache-2.0
# crash_site.py - gdb script (gdb -batch -x crash_site.py EXE CORE): where
# a core's crash happened, for tests/cores.sh.
#
# Prints three lines:
#   origin: fault | abort | re-raised | sent by pid N (si_code N)
#   crash site: FUNCTION in OBJECT (FILE:LINE)
#   crashed in: <the program's own code | a library ... called from ...>
#
# origin, from the kernel's siginfo: si_code above 0 is a fault the CPU
# raised (SEGV_MAPERR...); 0 or below, a process sent the signal: the
# process itself through abort() (an assert, a sanitizer's report: an
# abort frame is on the stack), the process itself without abort (it
# re-raised a signal, as umockdev-run does with its child's crash signal to
# die the same way: no crash of its own), or another process (kill).
#
# The crash site is the frame the fault or abort came from, not the
# machinery that reported it: frames above a signal handler (a sanitizer's
# deadly-signal handler) and the abort path (raise, abort, assert, the
# sanitizer runtimes' Die) are skipped.  Then the object that frame's code
# belongs to says whose code crashed: the program's, or a library's (libc,
# umockdev's preload library, which wraps the program's system calls in
# the test suites: a crash there is the harness's, not farmhound's).
import os
import re
import gdb

RUNTIME_FUNC = re.compile(
    r'^(__GI_)?(raise|abort|__pthread_kill\w*|pthread_kill|__assert_fail\w*|'
    r'__libc_message\w*|__fortify_fail\w*|__stack_chk_fail\w*|__chk_fail)$'
    r'|^__(sanitizer|asan|ubsan|lsan)(::|_)')
RUNTIME_LIB = re.compile(r'lib(asan|ubsan|lsan|tsan)\.so')


def objfile_of(frame):
    return gdb.solib_name(frame.pc()) or gdb.current_progspace().filename


def is_runtime(frame):
    name = frame.name() or ''
    return bool(RUNTIME_FUNC.search(name) or RUNTIME_LIB.search(objfile_of(frame)))


def frames():
    f = gdb.newest_frame()
    while f is not None:
        yield f
        f = f.older()


def where(frame):
    sal = frame.find_sal()
    if sal.symtab is None:
        return ''
    return ' (%s:%d)' % (sal.symtab.filename, sal.line)


def crash_frame(stack):
    # The frame a signal interrupted, if a handler ran (the newest one).
    for i, f in enumerate(stack):
        if f.type() == gdb.SIGTRAMP_FRAME and i + 1 < len(stack):
            stack = stack[i + 1:]
            break
    for f in stack:
        if not is_runtime(f):
            return f
    return stack[0]


def origin(stack):
    try:
        info = gdb.parse_and_eval('$_siginfo')
        code = int(info['si_code'])
        sender = int(info['_sifields']['_kill']['si_pid'])
    except gdb.error:
        return 'unknown'
    if code > 0:
        kind = 'fault'
    elif sender != gdb.selected_thread().ptid[0]:
        kind = 'sent by pid %d' % sender
    elif any(is_runtime(f) and 'raise' not in (f.name() or '')
             and 'kill' not in (f.name() or '') for f in stack):
        kind = 'abort'
    else:
        kind = 're-raised'
    return '%s (si_code %d)' % (kind, code)


def main():
    program = gdb.current_progspace().filename
    stack = list(frames())
    print('origin: %s' % origin(stack))
    site = crash_frame(stack)
    obj = objfile_of(site)
    print('crash site: %s in %s%s' % (site.name() or '??', obj, where(site)))
    if obj == program:
        print("crashed in: %s's own code" % os.path.basename(program))
        return
    caller = next((f for f in stack[stack.index(site):]
                   if objfile_of(f) == program), None)
    whose = 'a library, not %s' % os.path.basename(program)
    if 'umockdev' in os.path.basename(obj):
        whose = "umockdev's preload library (the test harness), not %s" % \
            os.path.basename(program)
    if caller is None:
        print('crashed in: %s, %s; no frame of the program on that stack' %
              (os.path.basename(obj), whose))
    else:
        print('crashed in: %s, %s; called from %s%s' %
              (os.path.basename(obj), whose, caller.name() or '??', where(caller)))


try:
    main()
except gdb.error as e:
    print('crash site: unknown (%s)' % e)
