// Reads a kubevip ConfigMap file and reports its pools and problems.
