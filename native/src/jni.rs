//! The JNI edge: the only module that knows about JNI. (To be written by the kernels/JNI helper.)
