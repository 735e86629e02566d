/*
 * main.c - the yilian program: everything is in the library; this is the door to the CLI.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
