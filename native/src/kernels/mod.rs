//! Arrow record-batch kernels and the IPC stream encoding that crosses the JNI edge.
