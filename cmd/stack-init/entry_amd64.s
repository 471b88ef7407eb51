// The lean init on linux/amd64: what runtime/linux/reaper's Main does, in
// a few dozen instructions that never start the Go runtime, so that a
// container's PID 1 costs a few pages (no heap, no threads, no GC).
//
// The kernel enters ·entry directly (-ldflags=-E=main.entry). Its stack
// is ours: SP points at argc, then argv[0], argv[1], ... Two slots below
// it hold all our data:
//
//	0(SP)  the signal set of every signal (64 bits, all ones)
//	8(SP)  the wait status wait4 writes (32 bits)
//
// System calls: number in AX, arguments in DI, SI, DX, R10; the result
// (or -errno) comes back in AX. SYSCALL clobbers CX and R11, and keeps
// every other register, so R12 holds the service's pid throughout.

#include "textflag.h"

// System call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
#define SYS_write 1
#define SYS_close 3
#define SYS_rt_sigprocmask 14
#define SYS_wait4 61
#define SYS_kill 62
#define SYS_rt_sigtimedwait 128
#define SYS_prctl 157
#define SYS_exit_group 231

#define PR_SET_DUMPABLE 4
#define SIG_SETMASK 2
#define SIGSET_SIZE 8 // the kernel's sigset_t: 64 signals, one bit each
#define WNOHANG 1
#define EINTR 4
#define SIGCHLD 17
#define SYNC_FD 3 // the sync socket with the monitor
#define STDERR 2

TEXT ·entry(SB), NOSPLIT|NOFRAME, $0-0
	// prctl(PR_SET_DUMPABLE, 0). The exec already left us undumpable
	// (the file is execute-only: see runtime/linux's execReaper); this
	// holds should the file have been readable.
	MOVL $SYS_prctl, AX
	MOVL $PR_SET_DUMPABLE, DI
	XORL SI, SI
	SYSCALL

	// The service's pid is argv[1], at 16(SP) when argc, at 0(SP), is at
	// least 2 (with fewer, 16(SP) is argv's NULL or the environment).
	CMPQ 0(SP), $2
	JLT  usage
	MOVQ 16(SP), SI // SI walks argv[1], a NUL-terminated string
	XORL R12, R12   // R12 = the pid, parsed so far
	CMPB 0(SI), $0
	JEQ  usage      // "" is no pid

digit:
	MOVBQZX 0(SI), AX // AX = the next byte
	TESTQ   AX, AX
	JEQ     parsed    // NUL: the end
	SUBQ    $'0', AX
	CMPQ    AX, $9
	JHI     usage     // unsigned: a byte below '0' wraps round to above 9
	IMULQ   $10, R12
	ADDQ    AX, R12
	CMPQ    R12, $0x7fffffff
	JGT     usage     // past pid_t, so no pid (and R12 never overflows)
	INCQ    SI
	JMP     digit

parsed:
	TESTQ R12, R12
	JEQ   usage    // 0 is no process's pid

	// Make room for the signal set and the wait status.
	SUBQ $16, SP
	MOVQ $-1, 0(SP) // every signal

	// rt_sigprocmask(SIG_SETMASK, &every, NULL, 8): block every signal
	// (the kernel leaves SIGKILL and SIGSTOP out). A blocked signal stays
	// pending until rt_sigtimedwait takes it: none is lost between here
	// and the loop, and none is dropped, as the kernel drops a signal
	// with no handler sent to a namespace's init, but never a blocked one.
	// Signals that came before are pending too.
	MOVL $SYS_rt_sigprocmask, AX
	MOVL $SIG_SETMASK, DI
	MOVQ SP, SI
	XORL DX, DX
	MOVL $SIGSET_SIZE, R10
	SYSCALL

	// close(3): signals are forwarded from now on, and the monitor,
	// which waits for the sync socket to close, may send them.
	MOVL $SYS_close, AX
	MOVL $SYNC_FD, DI
	SYSCALL

reap:
	// wait4(-1, &status, WNOHANG, NULL): collect any one exited child,
	// the service or an orphan that the kernel gave to PID 1.
	MOVL  $SYS_wait4, AX
	MOVQ  $-1, DI
	LEAQ  8(SP), SI
	MOVL  $WNOHANG, DX
	XORL  R10, R10
	SYSCALL
	CMPQ  AX, $-EINTR
	JEQ   reap      // interrupted: again
	CMPQ  AX, $0
	JLE   wait      // 0: none has exited; -ECHILD: no child at all
	CMPQ  AX, R12
	JNE   reap      // an orphan, reaped: look for more

	// The service exited: exit_group with its code as Docker reports
	// it, the exit status (bits 8-15 of the wait status), or 128+n if
	// signal n (bits 0-6) killed it.
	MOVL 8(SP), BX
	MOVL BX, DI
	ANDL $0x7f, DI  // DI = the signal that killed it, 0 if it exited
	JEQ  exited
	ADDL $128, DI
	JMP  exit

exited:
	MOVL BX, DI
	SHRL $8, DI
	ANDL $0xff, DI  // DI = its exit status

exit:
	MOVL $SYS_exit_group, AX
	SYSCALL

wait:
	// rt_sigtimedwait(&every, NULL, NULL, 8): sleep until a signal is
	// pending and take it; AX = its number. It needs no file descriptor,
	// so, unlike a signalfd, it cannot fail for want of one.
	MOVL $SYS_rt_sigtimedwait, AX
	MOVQ SP, DI
	XORL SI, SI
	XORL DX, DX
	MOVL $SIGSET_SIZE, R10
	SYSCALL
	CMPQ AX, $0
	JLE  reap       // -EINTR (init stopped and continued): look again
	CMPQ AX, $SIGCHLD
	JEQ  reap       // a child exited: reap it

	// kill(service, signal): forward every other signal.
	MOVQ AX, SI
	MOVL $SYS_kill, AX
	MOVQ R12, DI
	SYSCALL
	JMP  reap

usage:
	// write(2, usage, len(usage)); exit_group(2). usage is a Go string:
	// its data pointer, then its length.
	MOVL $SYS_write, AX
	MOVL $STDERR, DI
	MOVQ ·usage+0(SB), SI
	MOVQ ·usage+8(SB), DX
	SYSCALL
	MOVL $SYS_exit_group, AX
	MOVL $2, DI
	SYSCALL
